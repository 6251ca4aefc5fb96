using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VPNLens.Core.Nodes;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.History;
using VPNLens.Web.Runs;

namespace VPNLens.Tests.Web.History;

[Collection(AppCollection.Name)]
public sealed class HistoryApiTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Day = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly VpnLensApp app = new();
    private Node node = null!;

    public async ValueTask InitializeAsync()
    {
        node = Seed.Node();
        // three runs on each of two days: November 30th 100, 90 and one failed; December 1st 80, 120, 110 Mbit/s
        await app.WithDbAsync(async db =>
        {
            db.Add(node);
            db.AddRange(HistorySeed.Daily(node.Id, Day.AddHours(10), 100, 80));
            db.AddRange(HistorySeed.Daily(node.Id, Day.AddHours(14), 90, 120));
            db.AddRange(HistorySeed.Daily(node.Id, Day.AddHours(18), null, 110));
            await db.SaveChangesAsync();
        });
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Fact]
    public async Task Resolution_day_answers_each_days_median_band_and_failures()
    {
        var body = await GetAsync("&resolution=day");

        Assert.Equal("day", body.GetProperty("resolution").GetString());
        Assert.Empty(body.GetProperty("points").EnumerateArray());
        var days = body.GetProperty("days").EnumerateArray().ToList();
        Assert.Equal(2, days.Count);
        Assert.Equal("2026-11-30", days[0].GetProperty("day").GetString());
        Assert.Equal(3, days[0].GetProperty("runs").GetInt32());
        Assert.Equal(1, days[0].GetProperty("failed").GetInt32());
        Assert.Equal(95e6, days[0].GetProperty("median").GetDouble(), 3);
        Assert.Equal(90e6, days[0].GetProperty("min").GetDouble(), 3);
        Assert.Equal(100e6, days[0].GetProperty("max").GetDouble(), 3);
        Assert.Equal("2026-12-01", days[1].GetProperty("day").GetString());
        Assert.Equal(0, days[1].GetProperty("failed").GetInt32());
        Assert.Equal(110e6, days[1].GetProperty("median").GetDouble(), 3);
    }

    [Theory]
    [InlineData("")]
    [InlineData("&resolution=auto")]
    [InlineData("&resolution=raw")]
    public async Task A_short_series_and_resolution_raw_answer_run_by_run(string query)
    {
        var body = await GetAsync(query);

        Assert.Equal("raw", body.GetProperty("resolution").GetString());
        Assert.Equal(6, body.GetProperty("points").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("days").ValueKind);
    }

    [Fact]
    public async Task Auto_answers_day_by_day_past_what_a_chart_shows_and_raw_still_gives_every_run()
    {
        var values = Enumerable.Range(0, HistoryApi.MaxRawPoints).Select(i => (double?)(100 + (i % 7))).ToArray();
        await app.WithDbAsync(async db =>
        {
            db.AddRange(HistorySeed.Daily(node.Id, Day.AddDays(-2).AddHours(12), values));
            await db.SaveChangesAsync();
        });

        var auto = await GetAsync(string.Empty);
        var raw = await GetAsync("&resolution=raw");

        Assert.Equal("day", auto.GetProperty("resolution").GetString());
        Assert.Equal(HistoryApi.MaxRawPoints + 2, auto.GetProperty("days").GetArrayLength());
        Assert.Equal(HistoryApi.MaxRawPoints + 6, raw.GetProperty("points").GetArrayLength());
    }

    [Fact]
    public async Task The_csv_is_run_by_run_unless_asked_day_by_day()
    {
        using var client = app.CreateApiClient();
        var ct = TestContext.Current.CancellationToken;
        var runs = await client.GetStringAsync(new Uri(Path("&format=csv"), UriKind.Relative), ct);
        var days = await client.GetStringAsync(new Uri(Path("&format=csv&resolution=day"), UriKind.Relative), ct);

        Assert.Equal(7, runs.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.StartsWith("run_id,finished_at,state,tcp_download_bps", runs, StringComparison.Ordinal);
        Assert.Equal(
            "day,runs,failed,tcp_download_bps_median,tcp_download_bps_min,tcp_download_bps_max\r\n2026-11-30,3,1,95000000,90000000,100000000\r\n2026-12-01,3,0,110000000,80000000,120000000\r\n",
            days);
    }

    /// <summary>The app stores a run's day once the run has ended, and the day-by-day answer then comes from it.</summary>
    [Fact]
    public async Task A_run_that_ends_stores_its_day()
    {
        var rows = HistorySeed.Daily(node.Id, Day.AddDays(1).AddHours(9), 70);
        await app.WithDbAsync(async db =>
        {
            db.AddRange(rows);
            await db.SaveChangesAsync();
        });
        var run = rows.OfType<Run>().Single();

        await app.Services.GetRequiredService<RunEvents>().PublishAsync(new RunStateChanged(run.Id, RunState.Succeeded, null));

        var stored = await EventuallyAsync(() => app.WithDbAsync(db => db.DailyFigures.AsNoTracking()
            .SingleOrDefaultAsync(d => d.NodeId == node.Id && d.Protocol == "wireguard" && d.Metric == "tcp_download" && d.Day == new DateOnly(2026, 12, 2))));
        Assert.Equal(1, stored.Runs);
        Assert.Equal(70e6, stored.Median);
        var days = (await GetAsync("&resolution=day")).GetProperty("days").EnumerateArray().ToList();
        Assert.Equal(70e6, days[^1].GetProperty("median").GetDouble(), 3);
    }

    [Theory]
    [InlineData("hourly")]
    [InlineData("Day")]
    public async Task An_unknown_resolution_is_a_validation_problem_naming_it(string resolution)
    {
        using var client = app.CreateApiClient();
        using var response = await client.GetAsync(new Uri(Path($"&resolution={resolution}"), UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var error = problem.GetProperty("errors").GetProperty("resolution")[0].GetString();
        Assert.Equal("resolution must be raw, day or auto.", error);
    }

    /// <summary>Asks until the answer is there; a loose bound, for work the app does after a request or an event.</summary>
    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> ask)
        where T : class
    {
        for (var i = 0; i < 600; i++)
        {
            if (await ask() is { } answer)
            {
                return answer;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException("The answer never came.");
    }

    private string Path(string query) => $"/api/history?node={node.Id}&protocol=wireguard&metric=tcp_download{query}";

    private async Task<JsonElement> GetAsync(string query)
    {
        using var client = app.CreateApiClient();
        return await client.GetFromJsonAsync<JsonElement>(new Uri(Path(query), UriKind.Relative), TestContext.Current.CancellationToken);
    }
}

using System.Globalization;
using CsvHelper;

namespace VPNLens.Web.History;

/// <summary>GET /api/history's CSV: a row per run, or a row per day when the series was asked for day by day.</summary>
internal static class HistoryCsv
{
    public static byte[] Points(HistoryDto dto) => Write(csv =>
    {
        csv.WriteHeader(["run_id", "finished_at", "state", $"{dto.Metric}_{dto.Unit}"]);
        foreach (var point in dto.Points)
        {
            csv.WriteField(point.RunId.ToString());
            csv.WriteField(point.At.ToString("O", CultureInfo.InvariantCulture));
            csv.WriteField(point.State);
            csv.WriteField(point.Value, string.Empty);
            csv.EndRecord();
        }
    });

    public static byte[] Days(HistoryDto dto) => Write(csv =>
    {
        var figure = $"{dto.Metric}_{dto.Unit}";
        csv.WriteHeader(["day", "runs", "failed", $"{figure}_median", $"{figure}_min", $"{figure}_max"]);
        foreach (var day in dto.Days ?? [])
        {
            csv.WriteField(day.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            csv.WriteField(day.Runs);
            csv.WriteField(day.Failed);
            csv.WriteField(day.Median, string.Empty);
            csv.WriteField(day.Min, string.Empty);
            csv.WriteField(day.Max, string.Empty);
            csv.EndRecord();
        }
    });

    private static byte[] Write(Action<CsvWriter> rows)
    {
        using var buffer = new MemoryStream();
        using (var csv = CsvWriter.Create(buffer, CsvWriterOptions.Default, leaveOpen: true))
        {
            rows(csv);
        }

        return buffer.ToArray();
    }
}

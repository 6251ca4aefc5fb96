using VPNLens.Core.Runs;

namespace VPNLens.Core.Schedules;

/// <summary>Benchmarks one node's protocols on a cron schedule and watches the results for regressions.</summary>
public sealed class Schedule
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid NodeId { get; set; }

    public List<string> Protocols { get; set; } = [];

    /// <summary>The settings each scheduled run chooses, as a one-off run's request does; null or an empty field: the configured default.</summary>
    public RunSettingsRequest? Settings { get; set; }

    /// <summary>Five-field cron (minute hour day month weekday), read in <see cref="TimeZone"/>.</summary>
    public required string Cron { get; set; }

    /// <summary>An IANA time zone id such as "Europe/Berlin"; "UTC" by default.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Who the scheduled runs are mailed to, as the requester of a one-off run is.</summary>
    public required string Email { get; set; }

    public bool Paused { get; set; }

    /// <summary>How many of the latest results must agree before a regression alert opens or recovers.</summary>
    public int AlertM { get; set; } = 3;

    public int AlertN { get; set; } = 3;

    /// <summary>A significant shift smaller than this (percent of the earlier level) is not an alert; null: no floor.</summary>
    public double? FloorPercent { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The latest occurrence that has been handled (queued, or skipped because the previous run had not ended).</summary>
    public DateTimeOffset? LastOccurrence { get; set; }
}

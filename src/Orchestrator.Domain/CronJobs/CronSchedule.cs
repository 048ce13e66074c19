using Cronos;

namespace Orchestrator.Domain.CronJobs;

/// <summary>
/// A CronJob's schedule: five-field cron syntax (minute hour day-of-month month day-of-week, with
/// names, ranges, steps, <c>?</c> and the macros <c>@yearly</c>, <c>@monthly</c>, <c>@weekly</c>,
/// <c>@daily</c>, <c>@midnight</c>, <c>@hourly</c>), parsed by Cronos, in the time zone of
/// <c>spec.timeZone</c> (an IANA name), else of a <c>CRON_TZ=</c>/<c>TZ=</c> prefix, else UTC, as
/// Kubernetes' controller runs in UTC.
/// </summary>
public sealed class CronSchedule
{
    private readonly CronExpression _expression;

    private CronSchedule(CronExpression expression, TimeZoneInfo zone)
    {
        _expression = expression;
        Zone = zone;
    }

    public TimeZoneInfo Zone { get; }

    /// <summary>The schedule, or the reason it is not one (worded for a field error).</summary>
    public static (CronSchedule? Schedule, string? Error) Parse(string? schedule, string? timeZone)
    {
        if (string.IsNullOrWhiteSpace(schedule)) return (null, "must be a cron expression");
        var text = schedule.Trim();
        string? prefixZone = null;
        foreach (var prefix in new[] { "CRON_TZ=", "TZ=" })
        {
            if (!text.StartsWith(prefix, StringComparison.Ordinal)) continue;
            if (timeZone is not null) return (null, "cannot use both timeZone field and TZ or CRON_TZ in schedule");
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            if (space < 0) return (null, "a TZ prefix must be followed by a cron expression");
            prefixZone = text[prefix.Length..space];
            text = text[(space + 1)..].Trim();
        }
        var zoneName = timeZone ?? prefixZone;
        var zone = TimeZoneInfo.Utc;
        if (zoneName is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(zoneName, out zone!))
            return (null, $"unknown time zone {zoneName}");
        if (text.StartsWith("@every", StringComparison.Ordinal)) return (null, "@every is not supported; use a cron expression");
        try
        {
            return (new CronSchedule(CronExpression.Parse(text, CronFormat.Standard), zone), null);
        }
        catch (CronFormatException e)
        {
            return (null, e.Message);
        }
    }

    /// <summary>True when <paramref name="timeZone"/> names a time zone this machine knows.</summary>
    public static bool KnownZone(string timeZone) => TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _);

    /// <summary>The first scheduled time strictly after <paramref name="after"/>, or null when there is none.</summary>
    public DateTimeOffset? Next(DateTimeOffset after) => _expression.GetNextOccurrence(after, Zone, inclusive: false);

    /// <summary>The scheduled times in (<paramref name="after"/>, <paramref name="until"/>], at most <paramref name="limit"/>, oldest first.</summary>
    public IEnumerable<DateTimeOffset> Between(DateTimeOffset after, DateTimeOffset until, int limit)
    {
        var t = after;
        for (var n = 0; n < limit; n++)
        {
            if (Next(t) is not { } next || next > until) yield break;
            yield return next;
            t = next;
        }
    }
}

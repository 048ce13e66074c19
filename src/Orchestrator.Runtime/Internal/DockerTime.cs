using System.Globalization;

namespace Orchestrator.Runtime.Internal;

/// <summary>The engine's RFC 3339 timestamps with nanoseconds, and its "unset" time.</summary>
internal static class DockerTime
{
    /// <summary>Parses e.g. <c>2026-11-25T16:55:00.123456789Z</c>; null for empty or the zero time <c>0001-01-01T00:00:00Z</c>.</summary>
    public static DateTimeOffset? Parse(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.StartsWith("0001-01-01", StringComparison.Ordinal))
            return null;

        // .NET takes at most 7 fractional digits; the engine writes up to 9.
        var dot = value.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            var end = dot + 1;
            while (end < value.Length && char.IsAsciiDigit(value[end]))
                end++;
            if (end - dot - 1 > 7)
                value = string.Concat(value.AsSpan(0, dot + 8), value.AsSpan(end));
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            ? parsed
            : null;
    }

    /// <summary>A <see cref="DateTime"/> from the engine's JSON as a UTC <see cref="DateTimeOffset"/>.</summary>
    public static DateTimeOffset FromEngine(DateTime value) => value.Kind switch
    {
        DateTimeKind.Unspecified => new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)),
        _ => new DateTimeOffset(value.ToUniversalTime()),
    };

    /// <summary>The engine's <c>since</c> parameter: Unix seconds with nanoseconds, e.g. <c>1764089700.123456700</c>.</summary>
    public static string ToUnixSeconds(DateTimeOffset value)
    {
        var ticks = (value.UtcDateTime - DateTime.UnixEpoch).Ticks;
        var seconds = ticks / TimeSpan.TicksPerSecond;
        var nanos = ticks % TimeSpan.TicksPerSecond * 100;
        return string.Create(CultureInfo.InvariantCulture, $"{seconds}.{nanos:D9}");
    }
}

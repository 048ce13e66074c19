namespace Orchestrator.TestSupport;

/// <summary>The percentile the benchmarks report: nearest rank over values sorted ascending.</summary>
public static class Percentiles
{
    /// <summary>The <paramref name="q"/> quantile (0 &lt; q ≤ 1) of <paramref name="sorted"/>; NaN when empty.</summary>
    public static double NearestRank(IReadOnlyList<double> sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        return sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.Jobs;

/// <summary>
/// Completion indexes of Indexed Jobs: a pod's index (its <see cref="JobLabels.CompletionIndex"/>
/// annotation) and <c>status.completedIndexes</c>, the sorted ranges Kubernetes writes ("0-2,4").
/// </summary>
public static class JobIndexes
{
    /// <summary>The most completions an Indexed Job may have (Kubernetes: 10^5).</summary>
    public const long MaxCompletions = 100_000;

    /// <summary>The pod's completion index, or null when it has none or a malformed one.</summary>
    public static int? Of(JsonObject pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return pod.Annotations().TryGetValue(JobLabels.CompletionIndex, out var text)
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : null;
    }

    /// <summary>The indexes of "0-2,4" below <paramref name="completions"/>; parts that do not parse are skipped.</summary>
    public static SortedSet<int> Parse(string? text, long completions)
    {
        var result = new SortedSet<int>();
        if (string.IsNullOrEmpty(text)) return result;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var bounds = part.Split('-');
            if (!int.TryParse(bounds[0], NumberStyles.None, CultureInfo.InvariantCulture, out var from)) continue;
            var to = from;
            if (bounds.Length == 2 && !int.TryParse(bounds[1], NumberStyles.None, CultureInfo.InvariantCulture, out to)) continue;
            if (bounds.Length > 2) continue;
            for (var i = from; i <= to && i < completions; i++) result.Add(i);
        }
        return result;
    }

    /// <summary>Sorted indexes as ranges: {0,1,2,4} is "0-2,4".</summary>
    public static string Format(IEnumerable<int> indexes)
    {
        ArgumentNullException.ThrowIfNull(indexes);
        var text = new StringBuilder();
        int? start = null;
        var previous = -2;
        foreach (var i in indexes.Distinct().Order())
        {
            if (start is not null && i == previous + 1)
            {
                previous = i;
                continue;
            }
            if (start is not null) Append(text, start.Value, previous);
            start = i;
            previous = i;
        }
        if (start is not null) Append(text, start.Value, previous);
        return text.ToString();
    }

    private static void Append(StringBuilder text, int from, int to)
    {
        if (text.Length > 0) text.Append(',');
        text.Append(from.ToString(CultureInfo.InvariantCulture));
        if (to > from) text.Append('-').Append(to.ToString(CultureInfo.InvariantCulture));
    }
}

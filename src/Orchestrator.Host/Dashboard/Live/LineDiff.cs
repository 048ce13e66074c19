namespace Orchestrator.Host.Dashboard.Live;

/// <summary>One line of a diff: kept (' '), removed ('-') or added ('+').</summary>
public sealed record DiffLine(char Op, string Text);

/// <summary>
/// A line diff of two texts (longest common subsequence), for the YAML of two versions of an
/// object. Texts longer than <see cref="MaxLines"/> lines are shown as all removed then all added.
/// </summary>
public static class LineDiff
{
    public const int MaxLines = 3000;

    public static IReadOnlyList<DiffLine> Of(string before, string after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var a = Lines(before);
        var b = Lines(after);
        if (a.Length > MaxLines || b.Length > MaxLines)
            return [.. a.Select(l => new DiffLine('-', l)), .. b.Select(l => new DiffLine('+', l))];
        // lcs[i, j]: the longest common subsequence of a[i..] and b[j..].
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
        }
        var result = new List<DiffLine>(a.Length + b.Length);
        int x = 0, y = 0;
        while (x < a.Length && y < b.Length)
        {
            if (a[x] == b[y]) { result.Add(new DiffLine(' ', a[x])); x++; y++; }
            else if (lcs[x + 1, y] >= lcs[x, y + 1]) result.Add(new DiffLine('-', a[x++]));
            else result.Add(new DiffLine('+', b[y++]));
        }
        while (x < a.Length) result.Add(new DiffLine('-', a[x++]));
        while (y < b.Length) result.Add(new DiffLine('+', b[y++]));
        return result;
    }

    private static string[] Lines(string text) => text.Length == 0 ? [] : text.TrimEnd('\n').Split('\n');
}

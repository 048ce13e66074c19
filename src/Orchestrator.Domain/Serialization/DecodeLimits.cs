namespace Orchestrator.Domain.Serialization;

/// <summary>
/// Bounds on what decoding one request body (or one manifest) may build, so hostile input costs a
/// small, bounded share of a node: nesting depth, documents per stream, string length, items per
/// collection and values in all, and YAML alias expansion (bounded as Kubernetes' YAML decoder does
/// after CVE-2019-11253, see <see cref="AliasBudget"/>). The names are the keys of
/// <c>orchestrator.api.decoding</c> in the host's <c>reference.conf</c>, where each is documented.
/// </summary>
/// <param name="MaxDepth">Deepest nesting of objects and arrays (the outermost object is level 1).</param>
/// <param name="MaxDocuments">Most YAML documents in one stream (a manifest with <c>---</c> separators).</param>
/// <param name="MaxStringLength">Longest string (a scalar or a key), in characters.</param>
/// <param name="MaxCollectionItems">Most members of one object or items of one array.</param>
/// <param name="MaxValues">Most values (objects, arrays, scalars) in one body, aliases expanded.</param>
public sealed record DecodeLimits(int MaxDepth, int MaxDocuments, int MaxStringLength, int MaxCollectionItems, int MaxValues)
{
    /// <summary>The defaults of <c>reference.conf</c>: far beyond any real manifest, far below what hurts a node.</summary>
    public static DecodeLimits Default { get; } = new(MaxDepth: 32, MaxDocuments: 1000, MaxStringLength: 3 * 1024 * 1024, MaxCollectionItems: 10_000, MaxValues: 200_000);

    /// <summary>
    /// The deepest nesting a setting may ask for: the System.Text.Json writers and readers the rest of
    /// the node uses stop at 64 levels, and the envelope (watch events, lists, journal events) adds some.
    /// </summary>
    public const int DepthCeiling = 60;

    /// <summary>Checks every limit is positive and the depth within <see cref="DepthCeiling"/>; the message names the bad one.</summary>
    public DecodeLimits Validated()
    {
        Positive(MaxDepth, "max-depth");
        Positive(MaxDocuments, "max-documents");
        Positive(MaxStringLength, "max-string-length");
        Positive(MaxCollectionItems, "max-collection-items");
        Positive(MaxValues, "max-values");
        if (MaxDepth > DepthCeiling) throw new ArgumentException($"decoding.max-depth {MaxDepth} is above {DepthCeiling}, the depth the node's JSON readers and writers handle");
        return this;
    }

    private static void Positive(int value, string name)
    {
        if (value <= 0) throw new ArgumentException($"decoding.{name} must be a positive number, not {value}");
    }
}

/// <summary>A body or manifest went beyond one of the <see cref="DecodeLimits"/>; the message names the limit.</summary>
public sealed class DecodeLimitException : FormatException
{
    public DecodeLimitException()
    {
    }

    public DecodeLimitException(string message) : base(message)
    {
    }

    public DecodeLimitException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>The limit's key under <c>decoding</c> (<c>max-depth</c>, ..., <c>alias-expansion</c>).</summary>
    public string Limit { get; init; } = "";

    internal static DecodeLimitException Exceeded(string limit, string what) =>
        new($"{what} (limit decoding.{limit})") { Limit = limit };
}

/// <summary>
/// Kubernetes' bound on YAML alias expansion (go-yaml's <c>allowedAliasRatio</c>, the CVE-2019-11253
/// fix that sigs.k8s.io/yaml inherits): once more than 100 values came from aliases and more than
/// 1000 were decoded, the share of values from aliases may not exceed 99% for documents up to 400,000
/// decoded values, falling linearly to 10% at 4,000,000. A small document may thus alias freely,
/// and an alias bomb fails after a few thousand values instead of building billions.
/// </summary>
internal sealed class AliasBudget
{
    private const long RangeLow = 400_000;
    private const long RangeHigh = 4_000_000;

    /// <summary>Values decoded so far, expanded aliases included.</summary>
    public long Decoded { get; private set; }

    /// <summary>Values of those that came from alias expansion.</summary>
    public long FromAliases { get; private set; }

    public void Count(long values) => Decoded += values;

    /// <summary>Counts an alias (one value) expanding to <paramref name="values"/> values; throws once the expansion is excessive.</summary>
    public void Expand(long values)
    {
        Decoded += 1 + values;
        FromAliases += values;
        if (FromAliases > 100 && Decoded > 1000 && (double)FromAliases / Decoded > AllowedRatio(Decoded))
            throw DecodeLimitException.Exceeded("alias-expansion", "yaml: document contains excessive aliasing");
    }

    private static double AllowedRatio(long decoded) => decoded switch
    {
        <= RangeLow => 0.99,
        >= RangeHigh => 0.10,
        _ => 0.99 - (0.89 * (decoded - RangeLow) / (RangeHigh - RangeLow)),
    };
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Domain.Patching;

/// <summary>A JSON value used as a key (a list element, a merge key's value); null is a key too.</summary>
internal readonly record struct NodeKey(JsonNode? Node);

/// <summary>
/// Equality of <see cref="NodeKey"/>s as <see cref="JsonNode.DeepEquals"/> sees it, with a hash that
/// agrees with it (numbers hash by value, so <c>1</c> and <c>1.0</c> collide as they compare equal),
/// so the patch algorithms look elements up in hash sets instead of scanning lists: a patch of
/// 10,000 list elements is then linear, not 10^8 comparisons (figures in the README).
/// </summary>
internal sealed class NodeKeyComparer : IEqualityComparer<NodeKey>
{
    public static readonly NodeKeyComparer Instance = new();

    public bool Equals(NodeKey x, NodeKey y) => JsonNode.DeepEquals(x.Node, y.Node);

    public int GetHashCode(NodeKey key) => key.Node switch
    {
        null => 0,
        JsonObject o => HashCode.Combine(1, o.Count),
        JsonArray a => HashCode.Combine(2, a.Count),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => HashCode.Combine(3, StringComparer.Ordinal.GetHashCode(v.GetValue<string>())),
            JsonValueKind.Number => double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                ? HashCode.Combine(4, d)
                : 4,
            var kind => HashCode.Combine(5, kind),
        },
        _ => 6,
    };

    /// <summary>The set of <paramref name="nodes"/>' keys.</summary>
    public static HashSet<NodeKey> Set(IEnumerable<JsonNode?> nodes) => new(nodes.Select(n => new NodeKey(n)), Instance);

    /// <summary>The position of each key's first occurrence in <paramref name="list"/>, keyed by <paramref name="identity"/>.</summary>
    public static Dictionary<NodeKey, int> FirstIndex(List<JsonNode?> list, Func<JsonNode?, JsonNode?> identity)
    {
        var index = new Dictionary<NodeKey, int>(Instance);
        for (var i = 0; i < list.Count; i++)
            index.TryAdd(new NodeKey(identity(list[i])), i);
        return index;
    }
}

using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;

namespace Orchestrator.Domain.Tests.Patching;

/// <summary>Generators of small JSON documents for patch properties.</summary>
internal static class JsonGen
{
    private static readonly string[] Keys = ["a", "b", "c", "name", "spec", "x"];

    private static readonly Gen<JsonNode?> NonNullScalar =
        Gen.OneOf(
            Gen.Choose(-3, 3).Select(i => (JsonNode?)JsonValue.Create(i)),
            Gen.Elements("", "v", "w", "long value").Select(s => (JsonNode?)JsonValue.Create(s)),
            Gen.Elements(true, false).Select(b => (JsonNode?)JsonValue.Create(b)));

    private static Gen<JsonNode?> Scalar(bool allowNull) =>
        allowNull ? Gen.Frequency((5, NonNullScalar), (1, Gen.Constant((JsonNode?)null))) : NonNullScalar;

    /// <summary>Any JSON value; with <paramref name="allowNull"/> false no null appears anywhere.</summary>
    public static Gen<JsonNode?> Node(bool allowNull) => Gen.Sized(size => Node(Math.Min(size, 3), allowNull));

    private static Gen<JsonNode?> Node(int depth, bool allowNull)
    {
        if (depth <= 0)
            return Scalar(allowNull);
        return Gen.Frequency(
            (2, Scalar(allowNull)),
            (3, Object(depth - 1, allowNull).Select(o => (JsonNode?)o)),
            (1, Gen.ListOf(Node(depth - 1, allowNull), 3).Select(items => (JsonNode?)new JsonArray(items.Select(i => i?.DeepClone()).ToArray()))));
    }

    public static Gen<JsonObject> Object(bool allowNull) => Gen.Sized(size => Object(Math.Min(size, 3), allowNull));

    private static Gen<JsonObject> Object(int depth, bool allowNull) =>
        from keys in Gen.SubListOf(Keys)
        from values in Gen.ListOf(Node(depth - 1, allowNull), keys.Count)
        select new JsonObject(keys.Zip(values).Select(kv => KeyValuePair.Create(kv.First, kv.Second?.DeepClone())));
}

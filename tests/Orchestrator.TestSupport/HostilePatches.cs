using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Orchestrator.TestSupport;

/// <summary>
/// FsCheck generators of hostile patch bodies for the three patch types (issue 19): JSON patches with
/// random operations, pointers and values (and the copy bomb, each operation copying the whole
/// document into itself), merge patches of random JSON, and strategic merge patches with every
/// directive, bad directive values and long lists. Every generated body is JSON text, some of it
/// malformed (the mutations of <see cref="HostileGenerators.Bodies"/> are mixed in).
/// </summary>
public static class HostilePatches
{
    private static readonly string[] Pointers =
    [
        "", "/", "/metadata", "/metadata/name", "/metadata/labels", "/metadata/labels/x", "/metadata/annotations/a~1b",
        "/metadata/finalizers", "/metadata/finalizers/-", "/metadata/finalizers/0", "/spec", "/spec/replicas",
        "/spec/containers", "/spec/containers/0", "/spec/containers/-", "/spec/containers/0/image", "/spec/containers/99",
        "/spec/containers/01", "/spec/template/spec/containers/0/name", "/status", "/status/phase", "/data", "/data/k",
        "/a~2b", "~", "x", "/-", "/spec/containers/-1", "/spec/containers/99999999999999999999", "/\u0000",
    ];

    /// <summary>Every shape of patch body, about evenly.</summary>
    public static Gen<string> Bodies => Gen.Frequency(
        (4, JsonPatches),
        (1, CopyBombs),
        (3, MergePatches),
        (4, StrategicPatches),
        (1, LongLists),
        (2, HostileGenerators.Bodies.Select(b => Encoding.UTF8.GetString(b.Bytes))));

    public static Gen<string> JsonPatches =>
        from operations in Gen.ListOf(Operation).Select(o => o.Take(12).ToList())
        from wrapper in Gen.Elements(0, 0, 0, 1, 2)
        let list = "[" + string.Join(",", operations) + "]"
        select wrapper switch
        {
            1 => "{\"op\":\"add\",\"path\":\"/x\",\"value\":1}", // an object where a list of operations belongs
            2 => "[" + list + "]", // a list of lists
            _ => list,
        };

    private static Gen<string> Operation =>
        from op in Gen.Elements("\"add\"", "\"remove\"", "\"replace\"", "\"move\"", "\"copy\"", "\"test\"", "\"ADD\"", "\"\"", "7", "null", "[\"add\"]")
        from path in Pointer
        from source in Gen.OneOf(Pointer, Gen.Constant("7"), Gen.Constant("null"))
        from value in Value(3)
        from fields in Gen.Elements(0, 1, 2, 3)
        select fields switch
        {
            0 => $"{{\"op\":{op},\"path\":{path},\"value\":{value}}}",
            1 => $"{{\"op\":{op},\"path\":{path},\"from\":{source}}}",
            2 => $"{{\"op\":{op},\"from\":{source}}}",
            _ => $"{{\"op\":{op},\"path\":{path},\"from\":{source},\"value\":{value},\"extra\":{value}}}",
        };

    private static Gen<string> Pointer => Gen.Elements(Pointers).Select(p => "\"" + System.Text.Json.JsonEncodedText.Encode(p) + "\"");

    /// <summary>Operations each copying the whole document (or a list) into itself: 2^n values after n of them, unless bounded.</summary>
    public static Gen<string> CopyBombs =>
        from count in Gen.Choose(10, 64)
        from shape in Gen.Elements(0, 1, 2)
        select shape switch
        {
            0 => "[" + string.Join(",", Enumerable.Range(0, count).Select(i => $"{{\"op\":\"copy\",\"from\":\"\",\"path\":\"/c{i}\"}}")) + "]",
            1 => "[{\"op\":\"add\",\"path\":\"/x\",\"value\":[[1,2,3,4,5,6,7,8]]}," + string.Join(",", Enumerable.Repeat("{\"op\":\"copy\",\"from\":\"/x\",\"path\":\"/x/-\"}", count)) + "]",
            _ => "[" + string.Join(",", Enumerable.Range(0, count).Select(i => $"{{\"op\":\"copy\",\"from\":\"/metadata\",\"path\":\"/metadata/m{i}\"}}")) + "]",
        };

    public static Gen<string> MergePatches =>
        from metadata in Value(3)
        from spec in Value(3)
        from place in Gen.Elements("metadata", "spec", "status", "data", "kind", "apiVersion")
        from nulls in Gen.Elements(false, true)
        select nulls
            ? $"{{\"metadata\":{{\"labels\":null,\"name\":null}},\"{place}\":null}}"
            : $"{{\"metadata\":{metadata},\"{place}\":{spec}}}";

    public static Gen<string> StrategicPatches =>
        from directive in Gen.Elements("\"replace\"", "\"delete\"", "\"merge\"", "\"bogus\"", "7", "null", "[]", "{}")
        from element in Value(2)
        from shape in Gen.Choose(0, 7)
        select shape switch
        {
            0 => $"{{\"$patch\":{directive}}}",
            1 => $"{{\"spec\":{{\"containers\":[{{\"name\":\"c\",\"$patch\":{directive}}},{element}]}}}}",
            2 => $"{{\"spec\":{{\"containers\":[{{\"$patch\":{directive}}}]}}}}",
            3 => $"{{\"metadata\":{{\"$retainKeys\":{element},\"labels\":{{\"a\":\"b\"}}}}}}",
            4 => $"{{\"spec\":{{\"$setElementOrder/containers\":[{element},{{\"name\":\"c\"}}],\"containers\":[{{\"name\":\"d\",\"image\":\"x\"}}]}}}}",
            5 => $"{{\"metadata\":{{\"$deleteFromPrimitiveList/finalizers\":{element},\"finalizers\":[\"a\",{element}]}}}}",
            6 => $"{{\"spec\":{{\"containers\":[{{\"image\":\"no-merge-key\"}}],\"template\":{{\"spec\":{{\"containers\":{element}}}}}}}}}",
            _ => $"{{\"metadata\":{{\"finalizers\":[{{\"$patch\":{directive}}},\"a\",\"a\"]}},\"spec\":{{\"$patch\":{directive},\"replicas\":{element}}}}}",
        };

    /// <summary>Patches whose merged lists (finalizers, containers, ports) hold thousands of elements, each to be matched against the others.</summary>
    public static Gen<string> LongLists =>
        from count in Gen.Choose(500, 2000)
        from shape in Gen.Elements(0, 1, 2, 3)
        let items = Enumerable.Range(0, count).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList()
        select shape switch
        {
            0 => "{\"metadata\":{\"finalizers\":[" + string.Join(",", items.Select(i => $"\"f/{i}\"")) + "]}}",
            1 => "{\"spec\":{\"containers\":[" + string.Join(",", items.Select(i => $"{{\"name\":\"c{i}\",\"image\":\"x\"}}")) + "]}}",
            2 => "{\"spec\":{\"$setElementOrder/containers\":[" + string.Join(",", items.Select(i => $"{{\"name\":\"c{i}\"}}")) + "],\"containers\":[{\"name\":\"c1\",\"image\":\"y\"}]}}",
            _ => "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":[" + string.Join(",", items.Select(i => $"\"f/{i}\"")) + "],\"finalizers\":[" + string.Join(",", items.Select(i => $"\"g/{i}\"")) + "]}}",
        };

    private static Gen<string> Scalar => Gen.Elements(
        "null", "true", "false", "0", "-1", "1.5", "1e308", "\"\"", "\"x\"", "\"c\"", "\"\\u0000\"", "\"$patch\"", "9223372036854775808", "[]", "{}");

    private static Gen<string> Value(int depth) => depth == 0
        ? Scalar
        : Gen.Frequency(
            (3, Scalar),
            (1, Gen.ListOf(Value(depth - 1)).Select(items => "[" + string.Join(",", items.Take(6)) + "]")),
            (1, Gen.ListOf(from k in Gen.Elements("name", "image", "$patch", "$retainKeys", "labels", "finalizers", "containers", "replicas", "")
                           from v in Value(depth - 1)
                           select $"\"{k}\":{v}")
                .Select(members => "{" + string.Join(",", members.Take(6)) + "}")));
}

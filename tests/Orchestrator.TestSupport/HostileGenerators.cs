using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Orchestrator.TestSupport;

/// <summary>One generated request body: its bytes, its content type and what it is (for a failure's message).</summary>
public sealed record HostileBody(string Shape, byte[] Bytes, string ContentType)
{
    public override string ToString()
    {
        var text = Encoding.UTF8.GetString(Bytes);
        return $"{Shape} ({ContentType}, {Bytes.Length} bytes): {(text.Length > 300 ? text[..300] + "..." : text)}";
    }
}

/// <summary>
/// FsCheck generators of malformed and adversarial request bodies and query strings (issue 19): the
/// known shapes (alias bombs, deep nesting, huge numbers, invalid UTF-8, NUL bytes, repeated keys,
/// wrong kinds, names that collide after normalisation) and random mutations of valid manifests.
/// Every body names <c>fuzz-...</c> objects, so a test can tell what a request could have created.
/// </summary>
public static class HostileGenerators
{
    private static readonly string[] Tokens = ["{", "}", "[", "]", "\"", ":", ",", "\\", "\\u0000", "\\ud800", "\u0000", "1e999999", "-", "null", "&a", "*a", "\n", "---\n", "\t", "\uFEFF", "\"name\":\"x\","];

    /// <summary>A manifest of a ConfigMap named <paramref name="name"/> as JSON.</summary>
    public static string ConfigMapJson(string name, string data = "{\"k\":\"v\"}") =>
        $"{{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{{\"name\":\"{name}\",\"labels\":{{\"fuzz\":\"yes\"}}}},\"data\":{data}}}";

    private static Gen<string> Names => Gen.Choose(0, 99_999).Select(n => $"fuzz-{n}");

    /// <summary>Names that differ from a plain one only after some normalisation: case, Unicode forms, widths, spaces, dots, NULs.</summary>
    public static Gen<string> CollidingNames =>
        Gen.Elements("Fuzz-same", "fuzz-same ", " fuzz-same", "fuzz-same.", "fuzz-sam\u0065\u0301", "fuzz-sam\u00e9", "ｆuzz-same", "fuzz\u2010same", "fuzz-same\u0000", "fuzz-same\u200b", "FUZZ-SAME", "fuzz--same", "fuzz-same/", "fuzz-same%00", "..", "", new string('a', 300));

    private static Gen<HostileBody> Utf8(string shape, Gen<string> text, string type = "application/json") =>
        text.Select(t => new HostileBody(shape, Encoding.UTF8.GetBytes(t), type));

    /// <summary>Every shape, weighted so the random mutations get most of the runs.</summary>
    public static Gen<HostileBody> Bodies => Gen.Frequency(
        (2, AliasBombs),
        (2, DeepNesting),
        (2, HugeNumbers),
        (2, InvalidUtf8),
        (2, NulBytes),
        (3, RepeatedKeys),
        (2, WrongKinds),
        (2, NormalisedNameCollisions),
        (2, RandomJson),
        (6, Mutations));

    public static Gen<HostileBody> AliasBombs =>
        from levels in Gen.Choose(2, 9)
        from fanout in Gen.Choose(3, 10)
        from name in Names
        select new HostileBody($"alias bomb {levels}x{fanout}", Encoding.UTF8.GetBytes(HostileBodies.AliasBomb(name, levels, fanout)), "application/yaml");

    public static Gen<HostileBody> DeepNesting =>
        from depth in Gen.OneOf(Gen.Choose(25, 70), Gen.Choose(1000, 200_000))
        from name in Names
        from yaml in Gen.Elements(false, true)
        select yaml
            ? new HostileBody($"YAML nested {depth}", Encoding.UTF8.GetBytes(HostileBodies.DeepYaml(name, depth)), "application/yaml")
            : new HostileBody($"JSON nested {depth}", Encoding.UTF8.GetBytes(HostileBodies.DeepJson(name, depth)), "application/json");

    public static Gen<HostileBody> HugeNumbers =>
        from digits in Gen.Choose(19, 5000)
        from exponent in Gen.Elements("", "e999999999", "E-99999", ".5", "e+400")
        from spot in Gen.Elements("data", "metadata.generation", "metadata.resourceVersion", "replicas")
        from name in Names
        let number = "9" + new string('9', digits - 1) + exponent
        select new HostileBody($"huge number in {spot}", Encoding.UTF8.GetBytes(spot switch
        {
            "data" => ConfigMapJson(name, $"{{\"k\":{number}}}"),
            "metadata.generation" => $"{{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{{\"name\":\"{name}\",\"generation\":{number}}}}}",
            "metadata.resourceVersion" => $"{{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{{\"name\":\"{name}\",\"resourceVersion\":{number}}}}}",
            _ => $"{{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{{\"name\":\"{name}\"}},\"spec\":{{\"replicas\":{number}}}}}",
        }), "application/json");

    public static Gen<HostileBody> InvalidUtf8 =>
        from name in Names
        from bad in Gen.Elements<byte[]>([0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0xfe, 0xff])
        from spot in Gen.Elements("value", "key", "name", "outside")
        from yaml in Gen.Elements(false, true)
        select new HostileBody($"invalid UTF-8 in {spot}", InsertBytes(ConfigMapJson(name, "{\"k\":\"vX\",\"kX\":\"v\"}"), bad, spot), yaml ? "application/yaml" : "application/json");

    private static byte[] InsertBytes(string json, byte[] bad, string where)
    {
        var text = where switch
        {
            "value" => json.Replace("vX", "v\u0001", StringComparison.Ordinal),
            "key" => json.Replace("kX", "k\u0001", StringComparison.Ordinal),
            "name" => json.Replace("\"fuzz-", "\"fuzz-\u0001", StringComparison.Ordinal),
            _ => json + "\u0001",
        };
        var bytes = Encoding.UTF8.GetBytes(text);
        var at = Array.IndexOf(bytes, (byte)1);
        return [.. bytes[..at], .. bad, .. bytes[(at + 1)..]];
    }

    public static Gen<HostileBody> NulBytes =>
        from name in Names
        from variant in Gen.Elements(0, 1, 2, 3)
        select variant switch
        {
            0 => new HostileBody("raw NUL in a value", Encoding.UTF8.GetBytes(ConfigMapJson(name, "{\"k\":\"a\u0000b\"}")), "application/json"),
            1 => new HostileBody("escaped NUL in a name", Encoding.UTF8.GetBytes(ConfigMapJson(name + "\\u0000x")), "application/json"),
            2 => new HostileBody("escaped NUL in a key", Encoding.UTF8.GetBytes(ConfigMapJson(name, "{\"a\\u0000b\":\"v\"}")), "application/json"),
            _ => new HostileBody("NUL in YAML", Encoding.UTF8.GetBytes($"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  k: a\u0000b\n"), "application/yaml"),
        };

    public static Gen<HostileBody> RepeatedKeys =>
        from name in Names
        from other in Names
        from variant in Gen.Elements(0, 1, 2, 3, 4)
        select variant switch
        {
            0 => new HostileBody("repeated metadata.name", Encoding.UTF8.GetBytes($"{{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{{\"name\":\"{name}\",\"name\":\"{other}\"}}}}"), "application/json"),
            1 => new HostileBody("repeated kind", Encoding.UTF8.GetBytes($"{{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"kind\":\"ConfigMap\",\"metadata\":{{\"name\":\"{name}\"}}}}"), "application/json"),
            2 => new HostileBody("repeated metadata", Encoding.UTF8.GetBytes($"{{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{{\"name\":\"{name}\"}},\"metadata\":7}}"), "application/json"),
            3 => new HostileBody("repeated YAML key", Encoding.UTF8.GetBytes($"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  name: {other}\ndata: {{k: a, k: b}}\n"), "application/yaml"),
            _ => new HostileBody("many repeats", Encoding.UTF8.GetBytes(ConfigMapJson(name, "{" + string.Join(",", Enumerable.Repeat("\"k\":\"v\"", 5000)) + "}")), "application/json"),
        };

    public static Gen<HostileBody> WrongKinds =>
        from name in Names
        from kind in Gen.Elements("Pod", "Namespace", "Deployment", "Node", "Secret", "ConfigMapList", "Status", "", "configmap")
        from apiVersion in Gen.Elements("v1", "apps/v1", "v2", "", "v1/../v1")
        select new HostileBody($"kind {kind} {apiVersion}", Encoding.UTF8.GetBytes($"{{\"apiVersion\":\"{apiVersion}\",\"kind\":\"{kind}\",\"metadata\":{{\"name\":\"{name}\"}},\"spec\":{{\"containers\":[{{\"name\":\"c\",\"image\":\"x\"}}]}}}}"), "application/json");

    public static Gen<HostileBody> NormalisedNameCollisions =>
        from name in CollidingNames
        from key in Gen.Elements("k", "K", "k ", "k\u0301", "ｋ", "..", "a/b", "")
        select new HostileBody($"name \"{name}\" key \"{key}\"", Encoding.UTF8.GetBytes(ConfigMapJson(
            System.Text.Json.JsonEncodedText.Encode(name, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString(),
            $"{{\"{System.Text.Json.JsonEncodedText.Encode(key)}\":\"v\"}}")), "application/json");

    /// <summary>Structurally random JSON in the data, spec and metadata of a ConfigMap: wrong types everywhere.</summary>
    public static Gen<HostileBody> RandomJson =>
        from name in Names
        from data in Value(3)
        from metadata in Value(2)
        from place in Gen.Elements("data", "spec", "metadata.labels", "metadata.annotations", "metadata.finalizers", "metadata.ownerReferences", "metadata", "binaryData", "immutable")
        select new HostileBody($"random {place}", Encoding.UTF8.GetBytes(place switch
        {
            "metadata" => $"{{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{metadata}}}",
            _ when place.StartsWith("metadata.", StringComparison.Ordinal) => $"{{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{{\"name\":\"{name}\",\"{place[9..]}\":{data}}}}}",
            _ => $"{{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{{\"name\":\"{name}\"}},\"{place}\":{data}}}",
        }), "application/json");

    private static Gen<string> Scalar => Gen.OneOf(
        Gen.Elements("null", "true", "false", "0", "-1", "1.5", "1e308", "-0", "\"\"", "\"x\"", "\"\\u0000\"", "\"\\ud83d\\ude00\"", "2147483648", "9223372036854775808"),
        ArbMap.Default.GeneratorFor<int>().Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ArbMap.Default.GeneratorFor<NonNull<string>>().Select(s => "\"" + System.Text.Json.JsonEncodedText.Encode(s.Get) + "\""));

    private static Gen<string> Value(int depth) => depth == 0
        ? Scalar
        : Gen.Frequency(
            (3, Scalar),
            (1, Gen.ListOf(Value(depth - 1)).Select(items => "[" + string.Join(",", items.Take(8)) + "]")),
            (1, Gen.ListOf(from k in Gen.Elements("name", "k", "", "kind", "a.b", "$patch", "namespace") from v in Value(depth - 1) select $"\"{k}\":{v}")
                .Select(members => "{" + string.Join(",", members.Take(8)) + "}")));

    /// <summary>A valid ConfigMap with random edits: a token inserted, a span cut, bytes flipped, or the body truncated.</summary>
    public static Gen<HostileBody> Mutations =>
        from name in Names
        from yaml in Gen.Elements(false, true)
        from edits in Gen.ListOf(Edit).Select(e => e.Take(4).ToList())
        let original = yaml
            ? $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  labels: {{fuzz: yes}}\ndata:\n  k: v\n  list: [1, 2]\n"
            : ConfigMapJson(name)
        select new HostileBody($"mutated {(yaml ? "YAML" : "JSON")} ({string.Join("; ", edits.Select(e => e.Name))})",
            edits.Aggregate(Encoding.UTF8.GetBytes(original), (bytes, edit) => edit.Apply(bytes)),
            yaml ? "application/yaml" : "application/json");

    private sealed record Mutation(string Name, Func<byte[], byte[]> Apply);

    private static Gen<Mutation> Edit => Gen.OneOf(
        from at in Gen.Choose(0, 1000)
        from token in Gen.Elements(Tokens)
        select new Mutation($"insert {token.Replace("\n", "\\n", StringComparison.Ordinal)} at {at}", b => [.. b[..Math.Min(at, b.Length)], .. Encoding.UTF8.GetBytes(token), .. b[Math.Min(at, b.Length)..]]),
        from at in Gen.Choose(0, 1000)
        from length in Gen.Choose(1, 20)
        select new Mutation($"cut {length} at {at}", b => [.. b[..Math.Min(at, b.Length)], .. b[Math.Min(at + length, b.Length)..]]),
        from at in Gen.Choose(0, 1000)
        from value in Gen.Choose(0, 255)
        select new Mutation($"byte {value} at {at}", b =>
        {
            var copy = (byte[])b.Clone();
            if (copy.Length > 0) copy[at % copy.Length] = (byte)value;
            return copy;
        }),
        from keep in Gen.Choose(0, 1000)
        select new Mutation($"truncate to {keep}", b => b[..Math.Min(keep, b.Length)]));

    /// <summary>A query string of list/watch/delete parameters with good, bad and odd values (always a bounded watch).</summary>
    public static Gen<string> QueryStrings =>
        from parts in Gen.ListOf(QueryParameter).Select(p => p.Take(5).ToList())
        select string.Join("&", parts.Append("timeoutSeconds=1"));

    private static Gen<string> QueryParameter =>
        from name in Gen.Elements("watch", "labelSelector", "fieldSelector", "resourceVersion", "resourceVersionMatch", "limit", "continue", "allowWatchBookmarks", "fieldValidation", "gracePeriodSeconds", "propagationPolicy", "dryRun", "pretty", "timeoutSeconds")
        from value in Gen.Elements("", "1", "0", "T", "F", "TRUE", "yes", "-1", "99999999999999999999", "1e3", "a%3Db", "a%20in%20(", "!a", "a%3D%3D%3Db", "metadata.name%3Dx", "spec.nodeName!%3D", "%00", "%FF%FE", "%E2%80%AE", "Strict", "All", "NotOlderThan", "Exact", "999999999999", "abc", "a,b,,c", "%5B%5D")
        select $"{name}={value}";
}

using System.Text;

namespace Orchestrator.TestSupport;

/// <summary>Known shapes of hostile request bodies, shared by the decoder tests, the API tests and the flood benchmark.</summary>
public static class HostileBodies
{
    /// <summary>
    /// The "billion laughs" ConfigMap of issue 19: a list of nine strings, then <paramref name="levels"/>
    /// levels (b, c, ...) each a list of <paramref name="fanout"/> aliases of the level before (8 levels
    /// of 9: 402 bytes that expand to 9^9 = 387 million strings).
    /// </summary>
    public static string AliasBomb(string name = "bomb", int levels = 8, int fanout = 9)
    {
        var yaml = new StringBuilder();
        yaml.Append("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ").Append(name).Append("\ndata:\n");
        yaml.Append("  a: &a [").Append(string.Join(",", Enumerable.Repeat("lol", fanout))).Append("]\n");
        for (var level = 1; level <= levels; level++)
        {
            var anchor = (char)('a' + level);
            yaml.Append("  ").Append(anchor).Append(": &").Append(anchor).Append(" [")
                .Append(string.Join(",", Enumerable.Repeat("*" + (char)(anchor - 1), fanout))).Append("]\n");
        }
        return yaml.ToString();
    }

    /// <summary>A ConfigMap whose data nests <paramref name="depth"/> levels of objects (JSON).</summary>
    public static string DeepJson(string name, int depth) =>
        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\"},\"data\":"
        + string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth) + "}";

    /// <summary>The same nesting in YAML flow style.</summary>
    public static string DeepYaml(string name, int depth) =>
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + "}\ndata: "
        + string.Concat(Enumerable.Repeat("[", depth)) + "1" + new string(']', depth) + "\n";
}

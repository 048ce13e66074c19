using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Serialization;

namespace Orchestrator.Domain.Tests.Serialization;

public class YamlJsonTests
{
    private static JsonNode? Value(string yamlScalar) => YamlJson.ParseObject("v: " + yamlScalar)["v"];

    [Theory]
    [InlineData("80", "80")]
    [InlineData("-3", "-3")]
    [InlineData("+7", "7")]
    [InlineData("0", "0")]
    [InlineData("1.5", "1.5")]
    [InlineData("1e3", "1000")]
    [InlineData(".5", "0.5")]
    [InlineData("9223372036854775807", "9223372036854775807")]
    public void Plain_numbers_are_numbers(string yaml, string json)
    {
        var node = Value(yaml);
        Assert.Equal(JsonValueKind.Number, node!.GetValueKind());
        Assert.Equal(decimal.Parse(json, System.Globalization.CultureInfo.InvariantCulture), decimal.Parse(node.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Integers_are_whole_numbers()
    {
        Assert.Equal("80", Value("80")!.ToJsonString());
        Assert.Equal(80, Value("80").GetLong());
    }

    [Theory]
    [InlineData("\"80\"")]
    [InlineData("'80'")]
    [InlineData("\"true\"")]
    [InlineData("'null'")]
    [InlineData("\"\"")]
    public void Quoted_scalars_are_strings(string yaml)
    {
        Assert.Equal(JsonValueKind.String, Value(yaml)!.GetValueKind());
    }

    [Theory]
    [InlineData("1.2.3")]
    [InlineData("0x1F")]
    [InlineData("yes")]
    [InlineData("on")]
    [InlineData("1_000")]
    [InlineData("12:30")]
    [InlineData("nginx:1.25")]
    public void Other_plain_scalars_are_strings(string yaml)
    {
        var node = Value(yaml);
        Assert.Equal(JsonValueKind.String, node!.GetValueKind());
        Assert.Equal(yaml, node.GetValue<string>());
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("TRUE", true)]
    [InlineData("false", false)]
    [InlineData("False", false)]
    public void Booleans(string yaml, bool expected)
    {
        Assert.Equal(expected, Value(yaml)!.GetValue<bool>());
    }

    [Theory]
    [InlineData("null")]
    [InlineData("~")]
    [InlineData("Null")]
    [InlineData("")]
    public void Nulls(string yaml)
    {
        var obj = YamlJson.ParseObject("v: " + yaml);
        Assert.True(obj.ContainsKey("v"));
        Assert.Null(obj["v"]);
    }

    [Fact]
    public void Block_scalars_keep_their_text()
    {
        var obj = YamlJson.ParseObject("script: |\n  echo 1\n  echo 2\nfolded: >\n  a\n  b\n");
        Assert.Equal("echo 1\necho 2\n", obj["script"]!.GetValue<string>());
        Assert.Equal("a b\n", obj["folded"]!.GetValue<string>());
    }

    [Fact]
    public void A_manifest_converts_to_the_JSON_shape()
    {
        var obj = YamlJson.ParseObject("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              labels: {app: web}
            spec:
              containers:
              - name: c
                image: nginx
                ports:
                - containerPort: 80
                args: ["--port", "8080"]
            """);
        Assert.Equal(
            """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"nginx","ports":[{"containerPort":80}],"args":["--port","8080"]}]}}""",
            obj.ToJsonString());
    }

    [Fact]
    public void Multiple_documents_skip_empty_ones()
    {
        var docs = YamlJson.ParseDocuments("---\na: 1\n---\n---\n# only a comment\n---\n- x\n...\n");
        Assert.Equal(2, docs.Count);
        Assert.Equal("""{"a":1}""", docs[0]!.ToJsonString());
        Assert.Equal("""["x"]""", docs[1]!.ToJsonString());
        Assert.Empty(YamlJson.ParseDocuments(""));
    }

    [Fact]
    public void ParseObject_wants_exactly_one_object()
    {
        Assert.Throws<FormatException>(() => YamlJson.ParseObject(""));
        Assert.Throws<FormatException>(() => YamlJson.ParseObject("- a"));
        Assert.Throws<FormatException>(() => YamlJson.ParseObject("a: 1\n---\nb: 2"));
    }

    [Theory]
    [InlineData("a: 1\n  b: 2\n", "line 2")]
    [InlineData("a:\n  - b\n c: d\n", "line 3")]
    [InlineData("a: 'x\n", "line 1")]
    public void Bad_yaml_is_a_FormatException_with_the_line(string yaml, string line)
    {
        var e = Assert.Throws<FormatException>(() => YamlJson.ParseDocuments(yaml));
        Assert.StartsWith("error converting YAML to JSON: yaml: " + line + ": ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unclosed_flow_sequence_before_more_keys_is_a_FormatException()
    {
        Assert.Throws<FormatException>(() => YamlJson.ParseDocuments("a: 1\nb: [1, 2\nc: 3\n"));
    }

    [Fact]
    public void A_duplicate_key_is_refused_with_its_line()
    {
        var e = Assert.Throws<FormatException>(() => YamlJson.ParseObject("a: 1\nb: 2\na: 3\n"));
        Assert.Contains("line 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("key \"a\" already set in map", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Aliases_are_resolved()
    {
        var obj = YamlJson.ParseObject("base: &b {x: 1}\ncopy: *b\n");
        Assert.Equal("""{"x":1}""", obj["copy"]!.ToJsonString());
    }
}

using System.Text.Json.Nodes;
using Orchestrator.Domain.Serialization;
using Orchestrator.TestSupport;

namespace Orchestrator.Domain.Tests.Serialization;

/// <summary>YAML decoding under <see cref="DecodeLimits"/>: alias bombs, depth, documents, sizes (issue 19).</summary>
public class BoundedYamlTests
{
    [Fact]
    public void The_alias_bomb_of_issue_19_is_refused_without_expanding_it()
    {
        var bomb = HostileBodies.AliasBomb();
        Assert.InRange(bomb.Length, 380, 420);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DecodeLimitException>(() => YamlJson.ParseDocuments(bomb));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal("alias-expansion", e.Limit);
        Assert.Contains("excessive aliasing", e.Message, StringComparison.Ordinal);
        // 387 million strings would be gigabytes; the refusal builds a few thousand values.
        Assert.True(allocated < 4 * 1024 * 1024, $"decoding the bomb allocated {allocated} bytes");
    }

    [Fact]
    public void Aliases_within_Kubernetes_budget_are_expanded()
    {
        // Two levels of ten aliases over ten strings: about 1,260 values, 96% from aliases, which go-yaml accepts.
        var docs = YamlJson.ParseDocuments(HostileBodies.AliasBomb(levels: 2, fanout: 10));
        var data = docs.Single()!["data"]!;
        Assert.Equal(10, data["c"]!.AsArray().Count);
        Assert.Equal("lol", data["c"]![9]![9]![9]!.GetValue<string>());
        // One level more (99.4% from aliases) is go-yaml's "excessive aliasing" too.
        Assert.Throws<DecodeLimitException>(() => YamlJson.ParseDocuments(HostileBodies.AliasBomb(levels: 3, fanout: 10)));
    }

    [Fact]
    public void An_anchor_cannot_hold_its_own_alias_nor_an_unknown_one()
    {
        Assert.Contains("anchor 'x' value contains itself", Assert.Throws<FormatException>(() => YamlJson.ParseDocuments("a: &x {b: *x}\n")).Message, StringComparison.Ordinal);
        Assert.Contains("unknown anchor 'nope' referenced", Assert.Throws<FormatException>(() => YamlJson.ParseDocuments("a: 1\nb: *nope\n")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_beyond_the_depth_limit_is_refused_at_once()
    {
        Assert.NotNull(YamlJson.ParseObject(HostileBodies.DeepYaml("d", DecodeLimits.Default.MaxDepth - 1)));
        var e = Assert.Throws<DecodeLimitException>(() => YamlJson.ParseObject(HostileBodies.DeepYaml("d", DecodeLimits.Default.MaxDepth)));
        Assert.Equal("max-depth", e.Limit);
        // A megabyte of brackets stops at the limit instead of recursing through them.
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<DecodeLimitException>(() => YamlJson.ParseDocuments(new string('[', 1024 * 1024)));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 * 1024 * 1024);
    }

    [Fact]
    public void Aliases_count_toward_the_depth_they_land_at()
    {
        var limits = DecodeLimits.Default with { MaxDepth = 4 };
        Assert.NotNull(YamlJson.ParseDocuments("a: &a [[1]]\n", limits));
        var e = Assert.Throws<DecodeLimitException>(() => YamlJson.ParseDocuments("a: &a [[1]]\nb: [[*a]]\n", limits));
        Assert.Equal("max-depth", e.Limit);
    }

    [Fact]
    public void Documents_strings_items_and_values_are_bounded()
    {
        var limits = new DecodeLimits(MaxDepth: 10, MaxDocuments: 3, MaxStringLength: 8, MaxCollectionItems: 4, MaxValues: 20);
        Assert.Equal(3, YamlJson.ParseDocuments("a: 1\n---\nb: 2\n---\nc: 3\n", limits).Count);
        Assert.Equal("max-documents", Assert.Throws<DecodeLimitException>(() => YamlJson.ParseDocuments("a: 1\n---\nb: 2\n---\nc: 3\n---\nd: 4\n", limits)).Limit);
        Assert.Equal("max-string-length", Assert.Throws<DecodeLimitException>(() => YamlJson.ParseDocuments("a: 123456789\n", limits)).Limit);
        Assert.Equal("max-string-length", Assert.Throws<DecodeLimitException>(() => YamlJson.ParseDocuments("abcdefghi: 1\n", limits)).Limit);
        Assert.Equal("max-collection-items", Assert.Throws<DecodeLimitException>(() => YamlJson.ParseDocuments("[1, 2, 3, 4, 5]\n", limits)).Limit);
        Assert.Equal("max-values", Assert.Throws<DecodeLimitException>(() => YamlJson.ParseDocuments("[[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4]]\n", limits)).Limit);
    }

    [Fact]
    public void Repeated_keys_keep_the_last_value_and_are_named_with_their_path_and_line()
    {
        var decoded = YamlJson.Decode("metadata:\n  name: a\n  labels: {x: '1'}\n  name: b\nspec:\n  list:\n  - k: 1\n    k: 2\n", DecodeLimits.Default);
        var doc = decoded.Documents.Single()!;
        Assert.Equal("b", doc["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal(2, doc["spec"]!["list"]![0]!["k"]!.GetValue<long>());
        Assert.Equal([new DuplicateField("metadata.name", 4), new DuplicateField("spec.list[0].k", 8)], decoded.Duplicates);
        Assert.Equal("duplicate field \"metadata.name\"", decoded.Duplicates[0].ToString());
    }

    [Fact]
    public void Huge_numbers_that_are_no_finite_double_stay_strings()
    {
        var doc = YamlJson.ParseObject("a: 1e400\nb: 99999999999999999999\n");
        Assert.Equal("1e400", doc["a"]!.GetValue<string>());
        Assert.Equal(System.Text.Json.JsonValueKind.Number, doc["b"]!.GetValueKind());
        Assert.Equal("""{"a":"1e400","b":1E+20}""", doc.ToJsonString());
    }

    [Fact]
    public void Explicit_str_tags_keep_strings()
    {
        Assert.Equal("80", YamlJson.ParseObject("a: !!str 80\n")["a"]!.GetValue<string>());
        Assert.IsType<JsonObject>(YamlJson.ParseObject("a: &k x\n*k : 1\n"));
    }
}

/// <summary>JSON decoding under <see cref="DecodeLimits"/>, with Kubernetes' handling of repeated fields.</summary>
public class BoundedJsonTests
{
    [Fact]
    public void A_repeated_field_keeps_the_last_value_and_is_named()
    {
        var decoded = BoundedJson.Decode("""{"metadata":{"name":"a","name":"b"},"items":[{"x":1,"x":2}]}""", DecodeLimits.Default);
        Assert.Equal("""{"metadata":{"name":"b"},"items":[{"x":2}]}""", decoded.Root!.ToJsonString());
        Assert.Equal(["duplicate field \"metadata.name\"", "duplicate field \"items[0].x\""], decoded.Duplicates.Select(d => d.ToString()));
    }

    [Fact]
    public void Limits_name_themselves()
    {
        Assert.Equal("max-depth", Assert.Throws<DecodeLimitException>(() => BoundedJson.Decode(HostileBodies.DeepJson("d", 40), DecodeLimits.Default)).Limit);
        Assert.Equal("max-depth", Assert.Throws<DecodeLimitException>(() => BoundedJson.Decode(new string('[', 1_000_000), DecodeLimits.Default)).Limit);
        var small = new DecodeLimits(MaxDepth: 10, MaxDocuments: 1, MaxStringLength: 4, MaxCollectionItems: 3, MaxValues: 10);
        Assert.Equal("max-string-length", Assert.Throws<DecodeLimitException>(() => BoundedJson.Decode("""["abcde"]""", small)).Limit);
        Assert.Equal("max-string-length", Assert.Throws<DecodeLimitException>(() => BoundedJson.Decode("""{"abcde":1}""", small)).Limit);
        Assert.Equal("max-collection-items", Assert.Throws<DecodeLimitException>(() => BoundedJson.Decode("[1,2,3,4]", small)).Limit);
        Assert.Equal("max-values", Assert.Throws<DecodeLimitException>(() => BoundedJson.Decode("[[1,2,3],[1,2,3],[1,2,3]]", small)).Limit);
        Assert.Equal("max-string-length", Assert.Throws<DecodeLimitException>(() => BoundedJson.Decode("[" + new string('9', 100) + "]", DecodeLimits.Default)).Limit);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{\"a\":1,}")]
    [InlineData("{\"a\":1} {\"b\":2}")]
    [InlineData("// c\n{}")]
    [InlineData("[\"\\ud800\"]")]
    [InlineData("{\"a\":\u0000}")]
    [InlineData("NaN")]
    public void Malformed_JSON_is_a_FormatException(string json)
    {
        Assert.ThrowsAny<FormatException>(() => BoundedJson.Decode(json, DecodeLimits.Default));
    }

    [Fact]
    public void Numbers_keep_their_text()
    {
        var root = BoundedJson.Decode("""{"a":1e400,"b":12345678901234567890123,"c":-0.5}""", DecodeLimits.Default).Root!;
        Assert.Equal("""{"a":1e400,"b":12345678901234567890123,"c":-0.5}""", root.ToJsonString());
    }

    [Fact]
    public void Invalid_UTF8_becomes_replacement_characters_as_in_Go()
    {
        var bytes = new byte[] { (byte)'[', (byte)'"', 0xff, 0xfe, (byte)'"', (byte)']' };
        Assert.ThrowsAny<FormatException>(() => BoundedJson.Decode(bytes, DecodeLimits.Default));
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        Assert.Equal("\uFFFD\uFFFD", BoundedJson.Decode(text, DecodeLimits.Default).Root![0]!.GetValue<string>());
    }
}

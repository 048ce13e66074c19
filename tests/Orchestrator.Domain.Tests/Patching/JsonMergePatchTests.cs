using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Orchestrator.Domain.Patching;

namespace Orchestrator.Domain.Tests.Patching;

public class JsonMergePatchTests
{
    // RFC 7386, Appendix A.
    [Theory]
    [InlineData("""{"a":"b"}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"b":"c"}""", """{"a":"b","b":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"a":null}""", """{}""")]
    [InlineData("""{"a":"b","b":"c"}""", """{"a":null}""", """{"b":"c"}""")]
    [InlineData("""{"a":["b"]}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"c"}""", """{"a":["b"]}""", """{"a":["b"]}""")]
    [InlineData("""{"a":{"b":"c"}}""", """{"a":{"b":"d","c":null}}""", """{"a":{"b":"d"}}""")]
    [InlineData("""{"a":[{"b":"c"}]}""", """{"a":[1]}""", """{"a":[1]}""")]
    [InlineData("""["a","b"]""", """["c","d"]""", """["c","d"]""")]
    [InlineData("""{"a":"b"}""", """["c"]""", """["c"]""")]
    [InlineData("""{"a":"foo"}""", "null", "null")]
    [InlineData("""{"a":"foo"}""", "\"bar\"", "\"bar\"")]
    [InlineData("""{"e":null}""", """{"a":1}""", """{"e":null,"a":1}""")]
    [InlineData("""[1,2]""", """{"a":"b","c":null}""", """{"a":"b"}""")]
    [InlineData("""{}""", """{"a":{"bb":{"ccc":null}}}""", """{"a":{"bb":{}}}""")]
    public void Rfc7386_examples(string target, string patch, string expected)
    {
        var result = JsonMergePatch.Apply(JsonNode.Parse(target), JsonNode.Parse(patch));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), result), $"got {result?.ToJsonString() ?? "null"}");
    }

    [Fact]
    public void A_null_target_is_treated_as_empty()
    {
        var result = JsonMergePatch.Apply(null, JsonNode.Parse("""{"a":1,"b":null}"""));
        Assert.Equal("""{"a":1}""", result!.ToJsonString());
    }

    [Fact]
    public void Kubectl_label_style_patch_on_a_pod()
    {
        var pod = JsonNode.Parse("""{"metadata":{"name":"p","labels":{"app":"web","old":"x"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}""");
        var result = JsonMergePatch.Apply(pod, JsonNode.Parse("""{"metadata":{"labels":{"tier":"fe","old":null}}}"""));
        Assert.Equal("""{"metadata":{"name":"p","labels":{"app":"web","tier":"fe"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}""", result!.ToJsonString());
    }

    [Fact]
    public void Inputs_are_never_modified_and_the_result_shares_no_nodes()
    {
        var target = JsonNode.Parse("""{"a":{"b":1},"l":[1]}""")!;
        var patch = JsonNode.Parse("""{"a":{"c":{"d":2}},"l":[2],"n":null}""")!;
        var targetText = target.ToJsonString();
        var patchText = patch.ToJsonString();

        var result = JsonMergePatch.Apply(target, patch)!;
        result["a"]!["c"]!["d"] = 99;
        result["l"]!.AsArray().Add(3);

        Assert.Equal(targetText, target.ToJsonString());
        Assert.Equal(patchText, patch.ToJsonString());
    }

    [Fact]
    public void CreatePatch_produces_nulls_for_removed_keys_and_only_changed_values()
    {
        var original = JsonNode.Parse("""{"a":1,"b":{"c":1,"d":2},"e":[1],"f":"same"}""");
        var modified = JsonNode.Parse("""{"a":2,"b":{"c":1},"e":[1,2],"f":"same","g":true}""");
        var patch = JsonMergePatch.CreatePatch(original, modified);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"a":2,"b":{"d":null},"e":[1,2],"g":true}"""), patch), patch!.ToJsonString());
    }

    [Fact]
    public void CreatePatch_of_equal_documents_is_empty()
    {
        var doc = JsonNode.Parse("""{"a":{"b":[1,{"c":null}]}}""");
        Assert.Equal("{}", JsonMergePatch.CreatePatch(doc, doc!.DeepClone())!.ToJsonString());
    }

    [Property]
    public Property Merge_patch_of_the_diff_turns_a_into_b() =>
        Prop.ForAll(JsonGen.Node(allowNull: true).ToArbitrary(), JsonGen.Object(allowNull: false).ToArbitrary(), (a, b) =>
        {
            var patch = JsonMergePatch.CreatePatch(a, b);
            return JsonNode.DeepEquals(JsonMergePatch.Apply(a, patch), b);
        });

    [Property]
    public Property Applying_a_patch_twice_changes_nothing_more() =>
        Prop.ForAll(JsonGen.Node(allowNull: true).ToArbitrary(), JsonGen.Node(allowNull: true).ToArbitrary(), (target, patch) =>
        {
            var once = JsonMergePatch.Apply(target, patch);
            return JsonNode.DeepEquals(JsonMergePatch.Apply(once, patch), once);
        });

    [Property]
    public Property The_empty_patch_is_the_identity_on_objects() =>
        Prop.ForAll(JsonGen.Object(allowNull: true).ToArbitrary(), target =>
            JsonNode.DeepEquals(JsonMergePatch.Apply(target, new JsonObject()), target));

    [Property]
    public Property Apply_leaves_its_inputs_untouched() =>
        Prop.ForAll(JsonGen.Node(allowNull: true).ToArbitrary(), JsonGen.Node(allowNull: true).ToArbitrary(), (target, patch) =>
        {
            var before = (target?.ToJsonString(), patch?.ToJsonString());
            JsonMergePatch.Apply(target, patch);
            return before == (target?.ToJsonString(), patch?.ToJsonString());
        });
}

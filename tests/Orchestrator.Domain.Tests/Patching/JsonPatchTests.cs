using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Orchestrator.Domain.Patching;

namespace Orchestrator.Domain.Tests.Patching;

public class JsonPatchTests
{
    private static JsonNode? Apply(string doc, string patch) => JsonPatch.Apply(JsonNode.Parse(doc), JsonNode.Parse(patch));

    private static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected}, got {actual?.ToJsonString() ?? "null"}");

    // RFC 6902, Appendix A (the successful examples).
    [Theory]
    [InlineData("""{"foo":"bar"}""", """[{"op":"add","path":"/baz","value":"qux"}]""", """{"baz":"qux","foo":"bar"}""")]
    [InlineData("""{"foo":["bar","baz"]}""", """[{"op":"add","path":"/foo/1","value":"qux"}]""", """{"foo":["bar","qux","baz"]}""")]
    [InlineData("""{"baz":"qux","foo":"bar"}""", """[{"op":"remove","path":"/baz"}]""", """{"foo":"bar"}""")]
    [InlineData("""{"foo":["bar","qux","baz"]}""", """[{"op":"remove","path":"/foo/1"}]""", """{"foo":["bar","baz"]}""")]
    [InlineData("""{"baz":"qux","foo":"bar"}""", """[{"op":"replace","path":"/baz","value":"boo"}]""", """{"baz":"boo","foo":"bar"}""")]
    [InlineData("""{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}""", """[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]""", """{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}""")]
    [InlineData("""{"foo":["all","grass","cows","eat"]}""", """[{"op":"move","from":"/foo/1","path":"/foo/3"}]""", """{"foo":["all","cows","eat","grass"]}""")]
    [InlineData("""{"baz":"qux","foo":["a",2,"c"]}""", """[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]""", """{"baz":"qux","foo":["a",2,"c"]}""")]
    [InlineData("""{"foo":"bar"}""", """[{"op":"add","path":"/child","value":{"grandchild":{}}}]""", """{"foo":"bar","child":{"grandchild":{}}}""")]
    [InlineData("""{"foo":"bar"}""", """[{"op":"add","path":"/baz","value":"qux","xyz":123}]""", """{"foo":"bar","baz":"qux"}""")]
    [InlineData("""{"foo":["bar"]}""", """[{"op":"add","path":"/foo/-","value":["abc","def"]}]""", """{"foo":["bar",["abc","def"]]}""")]
    [InlineData("""{"/":9,"~1":10}""", """[{"op":"test","path":"/~01","value":10}]""", """{"/":9,"~1":10}""")]
    [InlineData("""{"foo":null}""", """[{"op":"test","path":"/foo","value":null}]""", """{"foo":null}""")]
    [InlineData("""{"foo":{"foo":1,"bar":2}}""", """[{"op":"test","path":"/foo","value":{"bar":2,"foo":1}}]""", """{"foo":{"foo":1,"bar":2}}""")]
    public void Rfc6902_examples(string doc, string patch, string expected) => AssertJson(expected, Apply(doc, patch));

    [Fact]
    public void Copy_duplicates_a_value_without_sharing_it()
    {
        var result = Apply("""{"a":{"b":1}}""", """[{"op":"copy","from":"/a","path":"/c"},{"op":"replace","path":"/c/b","value":2}]""");
        AssertJson("""{"a":{"b":1},"c":{"b":2}}""", result);
    }

    [Fact]
    public void Copies_of_the_whole_document_into_itself_stop_at_the_copy_budget()
    {
        // Each copy doubles the document: 64 of them would be 2^64 values (it crashed the test host).
        var bomb = "[" + string.Join(",", Enumerable.Range(0, 64).Select(i => $$"""{"op":"copy","from":"","path":"/c{{i}}"}""")) + "]";
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<PatchException>(() => Apply("""{"a":[1,2,3]}""", bomb));
        Assert.Contains($"copy more than {JsonPatch.MaxCopiedValues} values", e.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 256L * 1024 * 1024);
        // Copies within the budget still apply.
        var ten = "[" + string.Join(",", Enumerable.Range(0, 10).Select(i => $$"""{"op":"copy","from":"","path":"/c{{i}}"}""")) + "]";
        Assert.Equal(4 << 10, Count(Apply("""{"a":[1,2]}""", ten)));
    }

    private static int Count(JsonNode? node) => node switch
    {
        JsonObject o => 1 + o.Sum(m => Count(m.Value)),
        JsonArray a => 1 + a.Sum(Count),
        _ => 1,
    };

    [Fact]
    public void The_root_can_be_replaced_added_and_tested()
    {
        AssertJson("""[1]""", Apply("""{"a":1}""", """[{"op":"replace","path":"","value":[1]}]"""));
        AssertJson("""{"b":2}""", Apply("""{"a":1}""", """[{"op":"add","path":"","value":{"b":2}}]"""));
        AssertJson("""{"a":1}""", Apply("""{"a":1}""", """[{"op":"test","path":"","value":{"a":1}}]"""));
    }

    [Fact]
    public void Escaped_pointer_tokens_address_keys_with_slashes_and_tildes()
    {
        var result = Apply("""{"metadata":{"annotations":{"example.com/a~b":"x"}}}""",
            """[{"op":"replace","path":"/metadata/annotations/example.com~1a~0b","value":"y"}]""");
        AssertJson("""{"metadata":{"annotations":{"example.com/a~b":"y"}}}""", result);
    }

    [Fact]
    public void Kubectl_json_patch_on_a_deployment()
    {
        var deployment = """{"spec":{"replicas":1,"template":{"spec":{"containers":[{"name":"web","image":"nginx:1"}]}}}}""";
        var result = Apply(deployment, """
            [
              {"op":"replace","path":"/spec/replicas","value":3},
              {"op":"replace","path":"/spec/template/spec/containers/0/image","value":"nginx:2"},
              {"op":"add","path":"/spec/template/spec/containers/-","value":{"name":"sidecar","image":"busybox"}}
            ]
            """);
        AssertJson("""{"spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"web","image":"nginx:2"},{"name":"sidecar","image":"busybox"}]}}}}""", result);
    }

    [Theory]
    [InlineData("""{"foo":"bar"}""", """[{"op":"add","path":"/baz/bat","value":"qux"}]""", "the path does not exist: /baz is missing")]
    [InlineData("""{"foo":"bar"}""", """[{"op":"remove","path":"/baz"}]""", "JSON patch operation 0 (remove /baz): the path does not exist")]
    [InlineData("""{"foo":"bar"}""", """[{"op":"replace","path":"/baz","value":1}]""", "JSON patch operation 0 (replace /baz): the path does not exist")]
    [InlineData("""{"foo":"bar"}""", """[{"op":"move","from":"/nope","path":"/x"}]""", "the from path does not exist")]
    [InlineData("""{"foo":"bar"}""", """[{"op":"copy","from":"/nope","path":"/x"}]""", "the from path does not exist")]
    [InlineData("""{"baz":"qux"}""", """[{"op":"test","path":"/baz","value":"bar"}]""", "JSON patch operation 0 (test /baz): test failed: the value is \"qux\", expected \"bar\"")]
    [InlineData("""{"foo":["a"]}""", """[{"op":"test","path":"/foo/1","value":"a"}]""", "list index 1 is out of range (the list has 1 elements)")]
    [InlineData("""{"foo":["a"]}""", """[{"op":"add","path":"/foo/2","value":"b"}]""", "list index 2 is out of range")]
    [InlineData("""{"foo":["a"]}""", """[{"op":"add","path":"/foo/01","value":"b"}]""", "\"01\" is not a valid list index")]
    [InlineData("""{"foo":["a"]}""", """[{"op":"remove","path":"/foo/-"}]""", "\"-\" is not a valid list index")]
    [InlineData("""{"foo":["a"]}""", """[{"op":"add","path":"/foo/x","value":"b"}]""", "\"x\" is not a valid list index")]
    [InlineData("""{"foo":"bar"}""", """[{"op":"add","path":"/foo/x","value":"b"}]""", "/foo is \"bar\", not an object or a list")]
    [InlineData("""{"foo":"bar"}""", """[{"op":"frobnicate","path":"/foo"}]""", "JSON patch operation 0: unknown op \"frobnicate\": expected add, remove, replace, move, copy or test")]
    [InlineData("""{"foo":"bar"}""", """[{"path":"/foo"}]""", "JSON patch operation 0: \"op\" is missing")]
    [InlineData("""{"foo":"bar"}""", """[{"op":"add"}]""", "JSON patch operation 0: \"path\" is missing")]
    [InlineData("""{"foo":"bar"}""", """[{"op":"add","path":"/x"}]""", "JSON patch operation 0 (add /x): \"value\" is missing")]
    [InlineData("""{"foo":"bar"}""", """[{"op":"move","path":"/x"}]""", "JSON patch operation 0: \"from\" is missing")]
    [InlineData("""{"foo":"bar"}""", """[{"op":"add","path":5,"value":1}]""", "\"path\" must be a string, not 5")]
    [InlineData("""{"foo":"bar"}""", """[{"op":"add","path":"foo","value":1}]""", "a JSON pointer must be empty or start with '/'")]
    [InlineData("""{"foo":"bar"}""", """[{"op":"add","path":"/a~2","value":1}]""", "'~' must be followed by '0' or '1'")]
    [InlineData("""{"foo":{"a":1}}""", """[{"op":"move","from":"/foo","path":"/foo/a/b"}]""", "cannot move /foo into one of its own children")]
    [InlineData("""{"foo":"bar"}""", """[{"op":"remove","path":""}]""", "cannot remove the whole document")]
    [InlineData("""{"foo":"bar"}""", """[1]""", "JSON patch operation 0: must be an object, not 1")]
    [InlineData("""{"foo":"bar"}""", """{"op":"add"}""", "a JSON patch must be a list of operations")]
    [InlineData("""{"foo":"bar"}""", """[{"op":"test","path":"/foo","value":"bar"},{"op":"remove","path":"/nope"}]""", "JSON patch operation 1 (remove /nope)")]
    public void Failures_throw_PatchException_saying_which_operation_and_why(string doc, string patch, string message)
    {
        var e = Assert.Throws<PatchException>(() => Apply(doc, patch));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failing_patch_leaves_the_input_untouched()
    {
        var doc = JsonNode.Parse("""{"a":1,"l":[1,2]}""")!;
        var before = doc.ToJsonString();
        Assert.Throws<PatchException>(() => JsonPatch.Apply(doc, JsonNode.Parse("""[{"op":"remove","path":"/a"},{"op":"add","path":"/l/0","value":0},{"op":"test","path":"/a","value":1}]""")));
        Assert.Equal(before, doc.ToJsonString());
    }

    [Fact]
    public void Moving_to_the_same_place_is_a_no_op()
    {
        AssertJson("""{"a":{"b":1}}""", Apply("""{"a":{"b":1}}""", """[{"op":"move","from":"/a","path":"/a"}]"""));
    }

    [Property]
    public Property Add_then_remove_of_a_new_key_is_the_identity() =>
        Prop.ForAll(JsonGen.Object(allowNull: true).ToArbitrary(), JsonGen.Node(allowNull: true).ToArbitrary(), (doc, value) =>
        {
            var patch = new JsonArray(
                new JsonObject { ["op"] = "add", ["path"] = "/fresh~1key", ["value"] = value?.DeepClone() },
                new JsonObject { ["op"] = "test", ["path"] = "/fresh~1key", ["value"] = value?.DeepClone() },
                new JsonObject { ["op"] = "remove", ["path"] = "/fresh~1key" });
            return JsonNode.DeepEquals(JsonPatch.Apply(doc, patch), doc);
        });

    [Property]
    public Property Replacing_every_top_level_key_agrees_with_a_merge_patch() =>
        Prop.ForAll(JsonGen.Object(allowNull: true).ToArbitrary(), JsonGen.Object(allowNull: false).ToArbitrary(), (doc, changes) =>
        {
            var ops = new JsonArray();
            foreach (var (key, value) in changes)
                ops.Add(new JsonObject { ["op"] = "add", ["path"] = "/" + key, ["value"] = value?.DeepClone() });
            var viaJsonPatch = JsonPatch.Apply(doc, ops);
            var replacements = new JsonObject(changes.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)null)));
            var viaMerge = JsonMergePatch.Apply(JsonMergePatch.Apply(doc, replacements), changes);
            return JsonNode.DeepEquals(viaJsonPatch, viaMerge);
        });
}

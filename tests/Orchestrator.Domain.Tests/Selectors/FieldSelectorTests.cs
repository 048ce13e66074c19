using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Orchestrator.Domain.Selectors;

namespace Orchestrator.Domain.Tests.Selectors;

public class FieldSelectorTests
{
    private static readonly JsonObject Pod = JsonNode.Parse("""
        {
          "apiVersion": "v1", "kind": "Pod",
          "metadata": { "name": "web-1", "namespace": "default" },
          "spec": { "nodeName": "node-a", "restartPolicy": "Always", "hostNetwork": false, "priority": 10 },
          "status": { "phase": "Running" }
        }
        """)!.AsObject();

    private static readonly JsonObject Event = JsonNode.Parse("""
        {
          "kind": "Event", "metadata": { "name": "e1", "namespace": "default" },
          "involvedObject": { "kind": "Pod", "name": "web-1", "namespace": "default" },
          "reason": "Scheduled", "type": "Normal"
        }
        """)!.AsObject();

    [Theory]
    [InlineData("", true)]
    [InlineData("metadata.name=web-1", true)]
    [InlineData("metadata.name==web-1", true)]
    [InlineData("metadata.name!=web-1", false)]
    [InlineData("metadata.name=web-2", false)]
    [InlineData("metadata.name!=web-2", true)]
    [InlineData("metadata.namespace=default", true)]
    [InlineData("spec.nodeName=node-a", true)]
    [InlineData("spec.nodeName=", false)]
    [InlineData("spec.nodeName!=", true)]
    [InlineData("status.phase=Running", true)]
    [InlineData("status.phase!=Running", false)]
    [InlineData("status.phase=Running,spec.nodeName=node-a", true)]
    [InlineData("status.phase=Running,spec.nodeName=node-b", false)]
    [InlineData("spec.hostNetwork=false", true)]
    [InlineData("spec.priority=10", true)]
    [InlineData("status.podIP=", true)]
    [InlineData("metadata=", true)]
    [InlineData(" metadata.name = web-1 ", true)]
    public void Matches_pods_by_walking_the_object(string selector, bool expected)
    {
        Assert.Equal(expected, FieldSelector.Parse(selector).Matches(Pod));
    }

    [Fact]
    public void A_missing_field_is_the_empty_string()
    {
        var pending = new JsonObject { ["kind"] = "Pod", ["metadata"] = new JsonObject { ["name"] = "p" }, ["spec"] = new JsonObject() };
        Assert.True(FieldSelector.Parse("spec.nodeName=").Matches(pending));
        Assert.False(FieldSelector.Parse("spec.nodeName!=").Matches(pending));
        Assert.True(FieldSelector.Parse("metadata.namespace=").Matches(pending));
        Assert.Equal("", FieldSelector.ValueOf(pending, "status.phase"));
    }

    [Fact]
    public void A_missing_boolean_Kubernetes_prints_as_false_reads_false()
    {
        var node = new JsonObject { ["kind"] = "Node", ["spec"] = new JsonObject() };
        Assert.True(FieldSelector.Parse("spec.unschedulable=false").Matches(node));
        node["spec"]!["unschedulable"] = true;
        Assert.True(FieldSelector.Parse("spec.unschedulable=true").Matches(node));
    }

    [Theory]
    [InlineData("involvedObject.name=web-1,involvedObject.kind=Pod", true)]
    [InlineData("involvedObject.name=web-2", false)]
    [InlineData("reason=Scheduled,type!=Warning", true)]
    public void Matches_events_by_involved_object(string selector, bool expected)
    {
        Assert.Equal(expected, FieldSelector.Parse(selector).Matches(Event));
    }

    [Fact]
    public void Parses_terms_in_sorted_order_with_their_operators()
    {
        var selector = FieldSelector.Parse("status.phase!=Failed,metadata.name==a");
        Assert.Equal(
            [new FieldRequirement("metadata.name", FieldOperator.Equals, "a"), new FieldRequirement("status.phase", FieldOperator.NotEquals, "Failed")],
            selector.Requirements);
        Assert.Equal("metadata.name=a,status.phase!=Failed", selector.ToString());
    }

    [Fact]
    public void Escaped_commas_equals_and_backslashes_are_part_of_the_value()
    {
        var selector = FieldSelector.Parse(@"metadata.name=a\,b\=c\\d");
        var requirement = Assert.Single(selector.Requirements);
        Assert.Equal(@"a,b=c\d", requirement.Value);
        Assert.Equal(@"metadata.name=a\,b\=c\\d", selector.ToString());
        Assert.True(selector.Matches(new JsonObject { ["metadata"] = new JsonObject { ["name"] = @"a,b=c\d" } }));
    }

    [Theory]
    [InlineData("metadata.name", "can't understand 'metadata.name': expected a field, one of '=', '==' or '!=' and a value", 0)]
    [InlineData("a=b,nonsense", "can't understand 'nonsense'", 4)]
    [InlineData("=x", "the field path is empty", 0)]
    [InlineData("metadata..name=x", "has an empty segment", 0)]
    [InlineData("metadata.na me=x", "contains ' '", 0)]
    [InlineData("spec.containers[0].name=x", "contains '['", 0)]
    [InlineData(@"metadata.name=a\b", "invalid escape sequence", 14)]
    [InlineData("metadata.name=a=b", "unescaped '=' in value", 14)]
    public void Bad_syntax_is_rejected_with_a_clear_message(string text, string message, int position)
    {
        var e = Assert.Throws<SelectorParseException>(() => FieldSelector.Parse(text));
        Assert.StartsWith($"invalid selector: '{text}'", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Equal(position, e.Position);
        Assert.False(FieldSelector.TryParse(text, out _, out var error));
        Assert.Equal(e.Message, error);
    }

    [Fact]
    public void Empty_terms_are_skipped_and_blank_is_everything()
    {
        Assert.True(FieldSelector.Parse(null).IsEverything);
        Assert.True(FieldSelector.Parse(" ").IsEverything);
        Assert.Single(FieldSelector.Parse("a=b,,").Requirements);
    }

    [Fact]
    public void RequiresExactMatch_finds_equality_terms_only()
    {
        var selector = FieldSelector.Parse("spec.nodeName=node-a,status.phase!=Failed");
        Assert.True(selector.RequiresExactMatch("spec.nodeName", out var node));
        Assert.Equal("node-a", node);
        Assert.False(selector.RequiresExactMatch("status.phase", out _));
        Assert.False(selector.RequiresExactMatch("metadata.name", out _));
    }

    [Fact]
    public void Selectors_compare_by_value()
    {
        var a = FieldSelector.Parse("status.phase!=Failed,metadata.name=a");
        var b = FieldSelector.Parse("metadata.name==a,status.phase!=Failed");
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, FieldSelector.Parse("metadata.name=a"));
        Assert.Equal(FieldSelector.Everything, FieldSelector.Parse(""));
    }

    private static readonly string[] Fields = ["metadata.name", "metadata.namespace", "spec.nodeName", "status.phase", "involvedObject.name"];
    private static readonly string[] FieldValues = ["", "a", "web-1", "Running", "x,y", "p=q", @"back\slash", "default"];

    [Property]
    public Property Parse_of_ToString_round_trips() =>
        Prop.ForAll(
            Gen.ListOf(
                from field in Gen.Elements(Fields)
                from op in Gen.Elements(FieldOperator.Equals, FieldOperator.NotEquals)
                from value in Gen.Elements(FieldValues)
                select new FieldRequirement(field, op, value)).ToArbitrary(),
            requirements =>
            {
                var text = string.Join(",", requirements);
                var parsed = FieldSelector.Parse(text);
                var reparsed = FieldSelector.Parse(parsed.ToString());
                return parsed.Requirements.Count == requirements.Count
                       && parsed.Requirements.ToHashSet().SetEquals(requirements)
                       && reparsed.Requirements.SequenceEqual(parsed.Requirements);
            });

    [Property]
    public Property Equals_and_not_equals_are_complements() =>
        Prop.ForAll(Gen.Elements(Fields).ToArbitrary(), Gen.Elements(FieldValues).ToArbitrary(), Gen.Elements(FieldValues).ToArbitrary(),
            (field, wanted, actual) =>
            {
                var obj = new JsonObject();
                JsonObject current = obj;
                var segments = field.Split('.');
                foreach (var segment in segments[..^1])
                {
                    var child = new JsonObject();
                    current[segment] = child;
                    current = child;
                }
                current[segments[^1]] = actual;
                var eq = new FieldRequirement(field, FieldOperator.Equals, wanted).Matches(obj);
                var ne = new FieldRequirement(field, FieldOperator.NotEquals, wanted).Matches(obj);
                return eq != ne && eq == (wanted == actual);
            });
}

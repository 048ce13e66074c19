using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Orchestrator.Domain.Selectors;

namespace Orchestrator.Domain.Tests.Selectors;

public class LabelSelectorTests
{
    private static Dictionary<string, string> Labels(params string[] pairs) =>
        pairs.Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void Empty_text_selects_everything(string? text)
    {
        var selector = LabelSelector.Parse(text);
        Assert.True(selector.IsEverything);
        Assert.Empty(selector.Requirements);
        Assert.True(selector.Matches(Labels()));
        Assert.True(selector.Matches((IReadOnlyDictionary<string, string>?)null));
        Assert.Equal("", selector.ToString());
    }

    [Theory]
    // equality
    [InlineData("app=web", "app=web", true)]
    [InlineData("app=web", "app=db", false)]
    [InlineData("app=web", "", false)]
    [InlineData("app==web", "app=web", true)]
    [InlineData("app==web", "app=db", false)]
    // inequality: a missing key satisfies !=
    [InlineData("app!=web", "app=db", true)]
    [InlineData("app!=web", "app=web", false)]
    [InlineData("app!=web", "", true)]
    // set membership
    [InlineData("env in (prod,staging)", "env=prod", true)]
    [InlineData("env in (prod,staging)", "env=staging", true)]
    [InlineData("env in (prod,staging)", "env=dev", false)]
    [InlineData("env in (prod,staging)", "", false)]
    [InlineData("env notin (prod)", "env=dev", true)]
    [InlineData("env notin (prod)", "env=prod", false)]
    [InlineData("env notin (prod)", "", true)]
    // existence
    [InlineData("app", "app=x", true)]
    [InlineData("app", "other=x", false)]
    [InlineData("!app", "app=x", false)]
    [InlineData("!app", "other=x", true)]
    // numeric comparisons
    [InlineData("tier>2", "tier=3", true)]
    [InlineData("tier>2", "tier=2", false)]
    [InlineData("tier>2", "tier=abc", false)]
    [InlineData("tier>2", "", false)]
    [InlineData("tier<2", "tier=1", true)]
    [InlineData("tier<2", "tier=2", false)]
    [InlineData("tier<10", "tier=-5", true)]
    // empty values
    [InlineData("app=", "app=", true)]
    [InlineData("app=", "", false)]
    [InlineData("app in ()", "app=", true)]
    [InlineData("app in (,x)", "app=", true)]
    // conjunctions
    [InlineData("app=web,env!=prod", "app=web,env=dev", true)]
    [InlineData("app=web,env!=prod", "app=web,env=prod", false)]
    [InlineData("app=web,!canary,tier in (1,2)", "app=web,tier=2", true)]
    [InlineData("app=web,!canary,tier in (1,2)", "app=web,tier=2,canary=true", false)]
    public void Every_operator_matches_like_Kubernetes(string selector, string labels, bool expected)
    {
        var set = labels.Length == 0 ? Labels() : Labels(labels.Split(','));
        Assert.Equal(expected, LabelSelector.Parse(selector).Matches(set));
    }

    [Theory]
    [InlineData("app=web", "app", SelectorOperator.Equals, "web")]
    [InlineData("app==web", "app", SelectorOperator.Equals, "web")]
    [InlineData("app!=web", "app", SelectorOperator.NotEquals, "web")]
    [InlineData("app in (b,a,b)", "app", SelectorOperator.In, "a|b")]
    [InlineData("app notin (x)", "app", SelectorOperator.NotIn, "x")]
    [InlineData("app", "app", SelectorOperator.Exists, "")]
    [InlineData("!app", "app", SelectorOperator.DoesNotExist, "")]
    [InlineData("n>5", "n", SelectorOperator.GreaterThan, "5")]
    [InlineData("n<5", "n", SelectorOperator.LessThan, "5")]
    [InlineData("example.com/app=web", "example.com/app", SelectorOperator.Equals, "web")]
    public void Parses_each_operator_into_a_requirement(string text, string key, SelectorOperator op, string values)
    {
        var requirement = Assert.Single(LabelSelector.Parse(text).Requirements);
        var expectedValues = values.Length == 0 ? [] : values.Split('|');
        Assert.Equal(new Requirement(key, op, expectedValues), requirement);
    }

    [Theory]
    [InlineData("  app = web ,  env  in(prod , dev)  ", "app=web,env in (dev,prod)")]
    [InlineData("app\t=\tweb", "app=web")]
    [InlineData("env notin(a)", "env notin (a)")]
    [InlineData("! canary", "!canary")]
    [InlineData("app,env", "app,env")]
    public void Whitespace_between_tokens_is_ignored(string text, string canonical)
    {
        Assert.Equal(canonical, LabelSelector.Parse(text).ToString());
    }

    [Fact]
    public void ToString_is_canonical_sorted_by_key_with_sorted_values()
    {
        var selector = LabelSelector.Parse("z=1,a in (c,b,a),m!=x,!k,e,n>3,o<4,q notin (y,x)");
        Assert.Equal("a in (a,b,c),e,!k,m!=x,n>3,o<4,q notin (x,y),z=1", selector.ToString());
    }

    [Fact]
    public void In_and_notin_are_keywords_only_in_operator_position()
    {
        // A key named "in" and a value named "notin" are plain identifiers.
        var selector = LabelSelector.Parse("in in (notin,in)");
        var requirement = Assert.Single(selector.Requirements);
        Assert.Equal("in", requirement.Key);
        Assert.Equal(SelectorOperator.In, requirement.Operator);
        Assert.Equal(["in", "notin"], requirement.Values);
    }

    [Theory]
    [InlineData("app=web,", "found '', expected: identifier after ','", 8)]
    [InlineData(",app", "found ',', expected: !, identifier, or 'end of string'", 0)]
    [InlineData("app web", "found 'web', expected: in, notin, =, ==, !=, gt, lt", 4)]
    [InlineData("app in x", "found 'x', expected: '('", 7)]
    [InlineData("app in (x", "found '', expected: ',' or ')'", 9)]
    [InlineData("app in (x y)", "found 'y', expected: ',' or ')'", 10)]
    [InlineData("app in (=)", "found '=', expected: ',', ')' or identifier", 8)]
    [InlineData("app=(x)", "found '(', expected: identifier", 4)]
    [InlineData("app=x y", "found 'y', expected: ',' or 'end of string'", 6)]
    [InlineData("!", "found '', expected: identifier", 1)]
    [InlineData("!app=x", "found '=', expected: ',' or 'end of string' after '!app'", 4)]
    [InlineData("=x", "found '=', expected: !, identifier, or 'end of string'", 0)]
    public void Syntax_errors_say_what_was_found_expected_and_where(string text, string message, int position)
    {
        var e = Assert.Throws<SelectorParseException>(() => LabelSelector.Parse(text));
        Assert.StartsWith("unable to parse requirement: " + message, e.Message, StringComparison.Ordinal);
        Assert.EndsWith($"(at position {position} in \"{text}\")", e.Message, StringComparison.Ordinal);
        Assert.Equal(position, e.Position);
    }

    [Theory]
    [InlineData("bad key!=x", "found 'key', expected: in, notin, =, ==, !=, gt, lt")]
    [InlineData("-app=x", "key: Invalid value: \"-app\": name part must consist of alphanumeric characters")]
    [InlineData("a/b/c=x", "key: Invalid value: \"a/b/c\": a qualified name must consist of")]
    [InlineData("app=-x", "values[0]: Invalid value: \"-x\": a valid label must be an empty string or consist of")]
    [InlineData("app in (ok,b@d)", "values[0]: Invalid value: \"b@d\": a valid label must be")]
    [InlineData("n>x", "values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer")]
    // As in Kubernetes, Gt/Lt values must also be valid label values, so negative numbers are rejected.
    [InlineData("n<-1", "values[0]: Invalid value: \"-1\": a valid label must be")]
    public void Invalid_keys_and_values_are_rejected(string text, string message)
    {
        var e = Assert.Throws<SelectorParseException>(() => LabelSelector.Parse(text));
        Assert.StartsWith("unable to parse requirement: " + message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_too_long_value_is_rejected()
    {
        var e = Assert.Throws<SelectorParseException>(() => LabelSelector.Parse("app=" + new string('v', 64)));
        Assert.Contains("must be no more than 63 characters", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_reports_instead_of_throwing()
    {
        Assert.True(LabelSelector.TryParse("a=b", out var ok, out var none));
        Assert.Equal("a=b", ok.ToString());
        Assert.Equal("", none);
        Assert.False(LabelSelector.TryParse("a in", out var bad, out var error));
        Assert.True(bad.IsNothing);
        Assert.StartsWith("unable to parse requirement:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Matches_reads_metadata_labels_of_an_object()
    {
        var pod = new JsonObject
        {
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = "p", ["labels"] = new JsonObject { ["app"] = "web", ["n"] = 3 } },
        };
        Assert.True(LabelSelector.Parse("app=web").Matches(pod));
        Assert.False(LabelSelector.Parse("app=db").Matches(pod));
        // Non-string label values are ignored rather than stringified.
        Assert.True(LabelSelector.Parse("!n").Matches(pod));
        Assert.True(LabelSelector.Parse("!app").Matches(new JsonObject { ["kind"] = "Pod" }));
        Assert.False(LabelSelector.Parse("app").Matches(new JsonObject { ["metadata"] = new JsonObject() }));
    }

    [Fact]
    public void FromLabelSelector_combines_matchLabels_and_matchExpressions()
    {
        var selector = LabelSelector.FromLabelSelector(JsonNode.Parse("""
            {
              "matchLabels": { "app": "web" },
              "matchExpressions": [
                { "key": "env", "operator": "In", "values": ["prod", "staging"] },
                { "key": "track", "operator": "NotIn", "values": ["canary"] },
                { "key": "tier", "operator": "Exists" },
                { "key": "legacy", "operator": "DoesNotExist", "values": [] }
              ]
            }
            """)!.AsObject());
        Assert.Equal("app=web,env in (prod,staging),!legacy,tier,track notin (canary)", selector.ToString());
        Assert.True(selector.Matches(Labels("app=web", "env=prod", "tier=1")));
        Assert.False(selector.Matches(Labels("app=web", "env=prod", "tier=1", "legacy=y")));
        Assert.False(selector.Matches(Labels("app=web", "env=prod", "tier=1", "track=canary")));
        Assert.False(selector.Matches(Labels("app=web", "env=dev", "tier=1")));
        Assert.False(selector.Matches(Labels("app=web", "env=prod")));
    }

    [Fact]
    public void FromLabelSelector_null_matches_nothing_and_empty_matches_everything()
    {
        var nothing = LabelSelector.FromLabelSelector(null);
        Assert.True(nothing.IsNothing);
        Assert.False(nothing.IsEverything);
        Assert.False(nothing.Matches(Labels()));
        Assert.False(nothing.Matches(Labels("a=b")));

        var everything = LabelSelector.FromLabelSelector(new JsonObject());
        Assert.True(everything.IsEverything);
        Assert.True(everything.Matches(Labels("a=b")));
        Assert.True(LabelSelector.FromLabelSelector(new JsonObject { ["matchLabels"] = new JsonObject(), ["matchExpressions"] = new JsonArray() }).IsEverything);
    }

    [Theory]
    [InlineData("""{"matchExpressions":[{"key":"a","operator":"Equals","values":["x"]}]}""",
        "matchExpressions[0].operator: Unsupported value: \"Equals\": supported values: \"DoesNotExist\", \"Exists\", \"In\", \"NotIn\"")]
    [InlineData("""{"matchExpressions":[{"key":"a","operator":"in","values":["x"]}]}""",
        "matchExpressions[0].operator: Unsupported value: \"in\"")]
    [InlineData("""{"matchExpressions":[{"key":"a","operator":3}]}""",
        "matchExpressions[0].operator: Unsupported value: 3")]
    [InlineData("""{"matchExpressions":[{"key":"a"}]}""",
        "matchExpressions[0].operator: Required value")]
    [InlineData("""{"matchExpressions":[{"operator":"Exists"}]}""",
        "matchExpressions[0].key: Required value")]
    [InlineData("""{"matchExpressions":[{"key":"a","operator":"In"}]}""",
        "matchExpressions[0].values: Invalid value: for 'in', 'notin' operators, values set can't be empty")]
    [InlineData("""{"matchExpressions":[{"key":"a","operator":"NotIn","values":[]}]}""",
        "matchExpressions[0].values: Invalid value: for 'in', 'notin' operators, values set can't be empty")]
    [InlineData("""{"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]}""",
        "matchExpressions[0].values: Invalid value: values set must be empty for exists and does not exist")]
    [InlineData("""{"matchExpressions":[{"key":"a","operator":"In","values":[1]}]}""",
        "matchExpressions[0].values[0]: Invalid value: 1: must be a string")]
    [InlineData("""{"matchExpressions":[{"key":"bad key","operator":"Exists"}]}""",
        "matchExpressions[0].key: Invalid value: \"bad key\": name part must consist of")]
    [InlineData("""{"matchExpressions":"x"}""", "matchExpressions: Invalid value: \"x\": must be a list")]
    [InlineData("""{"matchLabels":{"app":"-x"}}""", "matchLabels[app].values[0]: Invalid value: \"-x\": a valid label must be")]
    [InlineData("""{"matchLabels":{"app":true}}""", "matchLabels[app]: Invalid value: true: must be a string")]
    [InlineData("""{"matchLabels":[]}""", "matchLabels: Invalid value: []: must be a map of strings")]
    public void FromLabelSelector_errors_name_the_field(string json, string message)
    {
        var e = Assert.Throws<SelectorParseException>(() => LabelSelector.FromLabelSelector(JsonNode.Parse(json)!.AsObject()));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromMatchLabels_is_an_AND_of_equalities()
    {
        var selector = LabelSelector.FromMatchLabels(new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" });
        Assert.Equal("a=1,b=2", selector.ToString());
        Assert.True(selector.Matches(Labels("a=1", "b=2", "c=3")));
        Assert.False(selector.Matches(Labels("a=1")));
        Assert.True(LabelSelector.FromMatchLabels(null).IsEverything);
        Assert.True(LabelSelector.FromMatchLabels(new Dictionary<string, string>()).IsEverything);
    }

    [Fact]
    public void FromRequirements_validates_and_normalises()
    {
        var selector = LabelSelector.FromRequirements([new Requirement("b", SelectorOperator.In, ["y", "x", "y"]), new Requirement("a", SelectorOperator.Exists, [])]);
        Assert.Equal("a,b in (x,y)", selector.ToString());
        Assert.Throws<SelectorParseException>(() => LabelSelector.FromRequirements([new Requirement("a", SelectorOperator.Equals, ["x", "y"])]));
        Assert.Throws<SelectorParseException>(() => LabelSelector.FromRequirements([new Requirement("a", SelectorOperator.GreaterThan, [])]));
        Assert.Throws<SelectorParseException>(() => LabelSelector.FromRequirements([new Requirement("a", (SelectorOperator)42, [])]));
    }

    [Fact]
    public void Requirements_compare_by_value()
    {
        var a = new Requirement("k", SelectorOperator.In, ["x", "y"]);
        var b = new Requirement("k", SelectorOperator.In, new List<string> { "x", "y" });
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, new Requirement("k", SelectorOperator.In, ["x"]));
        Assert.NotEqual(a, new Requirement("k", SelectorOperator.NotIn, ["x", "y"]));
    }

    [Fact]
    public void Selectors_compare_by_value()
    {
        var a = LabelSelector.Parse("b=1, a in (y,x)");
        var b = LabelSelector.Parse("a in (x,y),b==1");
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, LabelSelector.Parse("b=1"));
        Assert.NotEqual(LabelSelector.Everything, LabelSelector.Nothing);
        Assert.Equal(LabelSelector.Everything, LabelSelector.Parse(""));
        Assert.False(a.Equals(null));
    }

    // ---- properties ----

    private static readonly string[] Keys = ["app", "env", "tier", "example.com/team", "a.b-c_d", "in", "notin"];
    private static readonly string[] Values = ["", "web", "db", "1", "2", "30", "prod", "a.b_c-1", "in", "notin"];

    private static Gen<Requirement> RequirementGen() =>
        from key in Gen.Elements(Keys)
        from op in Gen.Elements(Enum.GetValues<SelectorOperator>())
        from values in Gen.NonEmptyListOf(Gen.Elements(Values))
        from number in Gen.Choose(0, 40)
        select op switch
        {
            SelectorOperator.Exists or SelectorOperator.DoesNotExist => Requirement.Create(key, op, []),
            SelectorOperator.GreaterThan or SelectorOperator.LessThan => Requirement.Create(key, op, [number.ToString(System.Globalization.CultureInfo.InvariantCulture)]),
            SelectorOperator.Equals or SelectorOperator.NotEquals => Requirement.Create(key, op, [values[0]]),
            _ => Requirement.Create(key, op, values),
        };

    private static Gen<LabelSelector> SelectorGen() =>
        Gen.ListOf(RequirementGen()).Select(LabelSelector.FromRequirements);

    private static Gen<Dictionary<string, string>> LabelsGen() =>
        Gen.SubListOf(Keys).SelectMany(
            keys => Gen.ListOf(Gen.Elements(Values), keys.Count),
            (keys, values) => keys.Zip(values).ToDictionary(kv => kv.First, kv => kv.Second));

    [Property]
    public Property Parse_of_ToString_round_trips() =>
        Prop.ForAll(SelectorGen().ToArbitrary(), selector =>
        {
            var reparsed = LabelSelector.Parse(selector.ToString());
            return reparsed.Requirements.SequenceEqual(selector.Requirements) && reparsed.ToString() == selector.ToString();
        });

    [Property]
    public Property Reparsed_selector_matches_the_same_labels() =>
        Prop.ForAll(SelectorGen().ToArbitrary(), LabelsGen().ToArbitrary(), (selector, labels) =>
            LabelSelector.Parse(selector.ToString()).Matches(labels) == selector.Matches(labels));

    [Property]
    public Property A_selector_matches_exactly_when_every_requirement_does() =>
        Prop.ForAll(SelectorGen().ToArbitrary(), LabelsGen().ToArbitrary(), (selector, labels) =>
            selector.Matches(labels) == selector.Requirements.All(r => r.Matches(labels)));

    [Property]
    public Property Negated_operators_are_complements_when_the_key_is_present() =>
        Prop.ForAll(Gen.Elements(Keys).ToArbitrary(), Gen.NonEmptyListOf(Gen.Elements(Values)).ToArbitrary(), LabelsGen().ToArbitrary(),
            (key, values, labels) =>
            {
                var inSel = Requirement.Create(key, SelectorOperator.In, values);
                var notIn = Requirement.Create(key, SelectorOperator.NotIn, values);
                var exists = Requirement.Create(key, SelectorOperator.Exists, []);
                var absent = Requirement.Create(key, SelectorOperator.DoesNotExist, []);
                return inSel.Matches(labels) != notIn.Matches(labels) && exists.Matches(labels) != absent.Matches(labels);
            });
}

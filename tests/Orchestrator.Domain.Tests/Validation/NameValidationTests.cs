using System.Text.Json.Nodes;
using Orchestrator.Domain.Validation;

namespace Orchestrator.Domain.Tests.Validation;

public class NameValidationTests
{
    private const string SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    private const string LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    [Theory]
    [InlineData("a")]
    [InlineData("example.com")]
    [InlineData("my-app-1")]
    [InlineData("0.1.2")]
    public void Valid_subdomains_pass(string value) => Assert.Empty(NameValidation.IsDns1123Subdomain(value, "metadata.name"));

    [Theory]
    [InlineData("Foo_")]
    [InlineData("")]
    [InlineData("-a")]
    [InlineData("a-")]
    [InlineData("a..b")]
    [InlineData(".a")]
    [InlineData("UPPER")]
    [InlineData("a\n")]
    public void Invalid_subdomains_fail_with_the_Kubernetes_message(string value)
    {
        var error = Assert.Single(NameValidation.IsDns1123Subdomain(value, "metadata.name"));
        Assert.Equal(FieldErrorType.Invalid, error.Type);
        Assert.Equal("metadata.name", error.Field);
        Assert.Equal(SubdomainMessage, error.Detail);
    }

    [Fact]
    public void The_invalid_name_message_reads_exactly_like_Kubernetes()
    {
        var error = Assert.Single(NameValidation.IsDns1123Subdomain("Foo_", "metadata.name"));
        Assert.Equal("metadata.name: Invalid value: \"Foo_\": " + SubdomainMessage, error.Message);
    }

    [Fact]
    public void Subdomains_are_limited_to_253_characters()
    {
        var ok = string.Join(".", Enumerable.Repeat(new string('a', 63), 4))[..253];
        Assert.Empty(NameValidation.IsDns1123Subdomain(ok.TrimEnd('.'), "n"));
        var tooLong = new string('a', 254);
        var error = Assert.Single(NameValidation.IsDns1123Subdomain(tooLong, "n"));
        Assert.Equal("must be no more than 253 characters", error.Detail);
    }

    [Fact]
    public void Labels_are_limited_to_63_characters()
    {
        Assert.Empty(NameValidation.IsDns1123Label(new string('a', 63), "n"));
        var error = Assert.Single(NameValidation.IsDns1123Label(new string('a', 64), "n"));
        Assert.Equal("must be no more than 63 characters", error.Detail);
    }

    [Fact]
    public void A_subdomain_is_not_a_label_because_of_its_dots()
    {
        var error = Assert.Single(NameValidation.IsDns1123Label("a.b", "metadata.namespace"));
        Assert.Equal("must not contain dots", error.Detail);
    }

    [Fact]
    public void An_invalid_label_gets_the_label_message()
    {
        // Kubernetes' RegexError appends " or " after "', ", hence the double space in "',  or '".
        var error = Assert.Single(NameValidation.IsDns1123Label("My_Label", "n"));
        Assert.Equal(LabelMessage, error.Detail);
    }

    [Theory]
    [InlineData("my-name", true)]
    [InlineData("abc-123", true)]
    [InlineData("1abc", false)]
    [InlineData("abc-", false)]
    [InlineData("a.b", false)]
    public void Dns1035_labels_must_start_with_a_letter(string value, bool valid)
    {
        var errors = NameValidation.IsDns1035Label(value, "metadata.name");
        Assert.Equal(valid, errors.Count == 0);
        if (!valid)
            Assert.StartsWith("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character",
                errors[0].Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("app")]
    [InlineData("MyName")]
    [InlineData("my.name")]
    [InlineData("123-abc")]
    [InlineData("example.com/MyName")]
    [InlineData("app.kubernetes.io/name")]
    [InlineData("a_b")]
    public void Valid_qualified_names_pass(string value) => Assert.Empty(NameValidation.IsQualifiedName(value, "k"));

    [Theory]
    [InlineData("/name", "prefix part must be non-empty")]
    [InlineData("Example.com/name", "prefix part a lowercase RFC 1123 subdomain must consist of")]
    [InlineData("example.com/", "name part must be non-empty")]
    [InlineData("a b", "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")]
    [InlineData("-a", "name part must consist of")]
    [InlineData("a/b/c", "a qualified name must consist of alphanumeric characters")]
    public void Invalid_qualified_names_say_which_part_is_wrong(string value, string expectedStart)
    {
        var errors = NameValidation.IsQualifiedName(value, "metadata.labels");
        Assert.NotEmpty(errors);
        Assert.Contains(errors, e => e.Detail.StartsWith(expectedStart, StringComparison.Ordinal));
    }

    [Fact]
    public void A_qualified_name_with_too_many_slashes_mentions_the_prefix_form()
    {
        var error = Assert.Single(NameValidation.IsQualifiedName("a/b/c", "k"));
        Assert.EndsWith("with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_name_part_of_a_qualified_name_is_limited_to_63()
    {
        Assert.Empty(NameValidation.IsQualifiedName("x/" + new string('a', 63), "k"));
        var error = Assert.Single(NameValidation.IsQualifiedName("x/" + new string('a', 64), "k"));
        Assert.Equal("name part must be no more than 63 characters", error.Detail);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("v1", true)]
    [InlineData("my_value", true)]
    [InlineData("1.2.3", true)]
    [InlineData("-v", false)]
    [InlineData("v-", false)]
    [InlineData("a b", false)]
    [InlineData("a/b", false)]
    public void Label_values(string value, bool valid)
    {
        var errors = NameValidation.IsValidLabelValue(value, "metadata.labels");
        Assert.Equal(valid, errors.Count == 0);
        if (!valid)
            Assert.StartsWith("a valid label must be an empty string or consist of alphanumeric characters", errors[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_values_are_limited_to_63_characters()
    {
        var error = Assert.Single(NameValidation.IsValidLabelValue(new string('v', 64), "l"));
        Assert.Equal("must be no more than 63 characters", error.Detail);
    }

    [Fact]
    public void ValidateLabels_checks_keys_and_values_at_the_given_path()
    {
        var labels = new JsonObject { ["app"] = "web", ["bad key"] = "x", ["ok"] = "-bad-", ["num"] = 3 };
        var errors = NameValidation.ValidateLabels(labels, "metadata.labels");
        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.Field == "metadata.labels" && Equals(e.BadValue, "bad key"));
        Assert.Contains(errors, e => e.Field == "metadata.labels" && Equals(e.BadValue, "-bad-"));
        Assert.Contains(errors, e => e.Field == "metadata.labels[num]" && e.Detail == "label values must be strings");
        Assert.Empty(NameValidation.ValidateLabels(null, "metadata.labels"));
    }

    [Fact]
    public void Annotation_keys_are_checked_case_insensitively()
    {
        var annotations = new JsonObject { ["Example.COM/Thing"] = "x", ["kubectl.kubernetes.io/last-applied-configuration"] = "{}" };
        Assert.Empty(NameValidation.ValidateAnnotations(annotations, "metadata.annotations"));
        var error = Assert.Single(NameValidation.ValidateAnnotations(new JsonObject { ["a b"] = "" }, "metadata.annotations"));
        Assert.Equal("a b", error.BadValue);
    }

    [Fact]
    public void Annotations_may_total_256_KiB()
    {
        var limit = NameValidation.TotalAnnotationSizeLimitBytes;
        var atLimit = new JsonObject { ["k"] = new string('x', limit - 1) };
        Assert.Empty(NameValidation.ValidateAnnotations(atLimit, "metadata.annotations"));

        var over = new JsonObject { ["k"] = new string('x', limit - 1), ["j"] = "" };
        var error = Assert.Single(NameValidation.ValidateAnnotations(over, "metadata.annotations"));
        Assert.Equal(FieldErrorType.TooLong, error.Type);
        Assert.Equal("metadata.annotations: Too long: may not be more than 262144 bytes", error.Message);
    }

    [Fact]
    public void Annotation_size_counts_bytes_not_characters()
    {
        // 'é' is two bytes in UTF-8, so half as many characters overflow.
        var over = new JsonObject { ["k"] = new string('é', NameValidation.TotalAnnotationSizeLimitBytes / 2) };
        Assert.Single(NameValidation.ValidateAnnotations(over, "metadata.annotations"));
    }

    [Fact]
    public void ObjectMeta_valid_namespaced_object_passes()
    {
        var meta = new JsonObject
        {
            ["name"] = "web-1",
            ["namespace"] = "default",
            ["labels"] = new JsonObject { ["app"] = "web" },
            ["annotations"] = new JsonObject { ["note"] = "anything goes here" },
            ["finalizers"] = new JsonArray("example.com/cleanup"),
            ["ownerReferences"] = new JsonArray(new JsonObject
            {
                ["apiVersion"] = "apps/v1", ["kind"] = "ReplicaSet", ["name"] = "web", ["uid"] = "123", ["controller"] = true,
            }),
        };
        Assert.Empty(NameValidation.ValidateObjectMeta(meta, namespaced: true));
    }

    [Fact]
    public void ObjectMeta_requires_a_name_or_generateName()
    {
        var error = Assert.Single(NameValidation.ValidateObjectMeta(new JsonObject { ["namespace"] = "default" }, namespaced: true));
        Assert.Equal("metadata.name: Required value: name or generateName is required", error.Message);
        Assert.Equal("FieldValueRequired", error.Reason);

        Assert.Empty(NameValidation.ValidateObjectMeta(new JsonObject { ["generateName"] = "web-", ["namespace"] = "default" }, namespaced: true));
    }

    [Fact]
    public void ObjectMeta_checks_generateName_as_a_prefix()
    {
        var error = Assert.Single(NameValidation.ValidateObjectMeta(new JsonObject { ["generateName"] = "Web-" }, namespaced: false));
        Assert.Equal("metadata.generateName", error.Field);
        Assert.Equal("Web-", error.BadValue);
    }

    [Fact]
    public void ObjectMeta_rejects_an_invalid_name()
    {
        var error = Assert.Single(NameValidation.ValidateObjectMeta(new JsonObject { ["name"] = "Foo_", ["namespace"] = "default" }, namespaced: true));
        Assert.Equal("metadata.name: Invalid value: \"Foo_\": " + SubdomainMessage, error.Message);
    }

    [Fact]
    public void ObjectMeta_applies_the_name_rule_of_the_kind()
    {
        var meta = new JsonObject { ["name"] = "1svc", ["namespace"] = "default" };
        Assert.Empty(NameValidation.ValidateObjectMeta(meta, namespaced: true));
        var error = Assert.Single(NameValidation.ValidateObjectMeta(meta, namespaced: true, nameRule: NameRule.Dns1035Label));
        Assert.Equal("metadata.name", error.Field);

        Assert.Single(NameValidation.ValidateObjectMeta(new JsonObject { ["name"] = "a.b" }, namespaced: false, nameRule: NameRule.Dns1123Label));
        Assert.Single(NameValidation.ValidateObjectMeta(new JsonObject { ["name"] = ".." }, namespaced: false, nameRule: NameRule.PathSegment));
        Assert.Empty(NameValidation.ValidateObjectMeta(new JsonObject { ["name"] = "Any:Thing" }, namespaced: false, nameRule: NameRule.PathSegment));
    }

    [Fact]
    public void ObjectMeta_requires_a_namespace_for_namespaced_kinds()
    {
        var error = Assert.Single(NameValidation.ValidateObjectMeta(new JsonObject { ["name"] = "a" }, namespaced: true));
        Assert.Equal("metadata.namespace: Required value", error.Message);

        var invalid = Assert.Single(NameValidation.ValidateObjectMeta(new JsonObject { ["name"] = "a", ["namespace"] = "my.ns" }, namespaced: true));
        Assert.Equal("must not contain dots", invalid.Detail);
    }

    [Fact]
    public void ObjectMeta_forbids_a_namespace_for_cluster_scoped_kinds()
    {
        var error = Assert.Single(NameValidation.ValidateObjectMeta(new JsonObject { ["name"] = "node-1", ["namespace"] = "default" }, namespaced: false));
        Assert.Equal("metadata.namespace: Forbidden: not allowed on this type", error.Message);
        Assert.Empty(NameValidation.ValidateObjectMeta(new JsonObject { ["name"] = "node-1" }, namespaced: false));
    }

    [Fact]
    public void ObjectMeta_uses_the_given_path_for_nested_metadata()
    {
        var errors = NameValidation.ValidateObjectMeta(
            new JsonObject { ["name"] = "x", ["labels"] = new JsonObject { ["-"] = "v" } }, namespaced: false, path: "spec.template.metadata");
        var error = Assert.Single(errors);
        Assert.Equal("spec.template.metadata.labels", error.Field);
    }

    [Fact]
    public void ObjectMeta_reports_wrong_types_negative_generation_owner_references_and_finalizers()
    {
        var meta = new JsonObject
        {
            ["name"] = 5,
            ["generation"] = -1,
            ["labels"] = "nope",
            ["finalizers"] = new JsonArray("a", "a", "bad finalizer"),
            ["ownerReferences"] = new JsonArray(
                new JsonObject { ["apiVersion"] = "v1", ["kind"] = "X", ["name"] = "a", ["uid"] = "1", ["controller"] = true },
                new JsonObject { ["apiVersion"] = "v1", ["kind"] = "X", ["name"] = "b", ["controller"] = true }),
        };
        var errors = NameValidation.ValidateObjectMeta(meta, namespaced: false);
        Assert.Contains(errors, e => e.Field == "metadata.name" && e.Detail == "must be a string");
        Assert.DoesNotContain(errors, e => e.Type == FieldErrorType.Required);
        Assert.Contains(errors, e => e.Field == "metadata.generation" && e.Message == "metadata.generation: Invalid value: -1: must be greater than or equal to 0");
        Assert.Contains(errors, e => e.Field == "metadata.labels" && e.Detail == "must be a map of strings");
        Assert.Contains(errors, e => e.Field == "metadata.finalizers" && e.Type == FieldErrorType.Duplicate);
        Assert.Contains(errors, e => e.Field == "metadata.finalizers" && Equals(e.BadValue, "bad finalizer"));
        Assert.Contains(errors, e => e.Field == "metadata.ownerReferences[1].uid");
        Assert.Contains(errors, e => e.Field == "metadata.ownerReferences" && e.Detail.StartsWith("Only one reference can have Controller set to true", StringComparison.Ordinal));
    }
}

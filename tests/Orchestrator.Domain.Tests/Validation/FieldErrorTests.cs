using Orchestrator.Domain.Validation;

namespace Orchestrator.Domain.Tests.Validation;

public class FieldErrorTests
{
    [Theory]
    [InlineData(FieldErrorType.Required, "FieldValueRequired")]
    [InlineData(FieldErrorType.Invalid, "FieldValueInvalid")]
    [InlineData(FieldErrorType.NotSupported, "FieldValueNotSupported")]
    [InlineData(FieldErrorType.Duplicate, "FieldValueDuplicate")]
    [InlineData(FieldErrorType.TooLong, "FieldValueTooLong")]
    [InlineData(FieldErrorType.Forbidden, "FieldValueForbidden")]
    public void Every_type_maps_to_its_Kubernetes_cause_reason(FieldErrorType type, string reason)
    {
        Assert.Equal(reason, FieldError.ReasonOf(type));
        Assert.Equal(reason, new FieldError("f", type, "").Reason);
    }

    [Fact]
    public void Every_enum_value_has_a_reason_and_a_title()
    {
        foreach (var type in Enum.GetValues<FieldErrorType>())
        {
            Assert.StartsWith("FieldValue", FieldError.ReasonOf(type), StringComparison.Ordinal);
            Assert.NotEmpty(FieldError.TitleOf(type));
        }
    }

    [Fact]
    public void Required_without_detail_prints_only_the_type()
    {
        Assert.Equal("spec.containers[0].image: Required value", FieldError.Required("spec.containers[0].image").Message);
    }

    [Fact]
    public void Required_with_detail_appends_it()
    {
        Assert.Equal("metadata.name: Required value: name or generateName is required",
            FieldError.Required("metadata.name", "name or generateName is required").Message);
    }

    [Fact]
    public void Invalid_quotes_a_string_value_before_the_detail()
    {
        var error = FieldError.Invalid("metadata.name", "Foo_", "a lowercase RFC 1123 subdomain must ...");
        Assert.Equal("metadata.name: Invalid value: \"Foo_\": a lowercase RFC 1123 subdomain must ...", error.Message);
        Assert.Equal(error.Message, error.ToString());
    }

    [Fact]
    public void Invalid_prints_numbers_and_bools_unquoted()
    {
        Assert.Equal("spec.replicas: Invalid value: -1: must be greater than or equal to 0",
            FieldError.Invalid("spec.replicas", -1L, "must be greater than or equal to 0").Message);
        Assert.Equal("spec.x: Invalid value: 1.5: d", FieldError.Invalid("spec.x", 1.5, "d").Message);
        Assert.Equal("spec.x: Invalid value: true: d", FieldError.Invalid("spec.x", true, "d").Message);
    }

    [Fact]
    public void Invalid_without_bad_value_takes_the_value_from_the_detail()
    {
        // Callers that already put the value in the detail get Kubernetes' shape too.
        Assert.Equal("type: Invalid value: \"x\": field is immutable",
            new FieldError("type", FieldErrorType.Invalid, "\"x\": field is immutable").Message);
    }

    [Fact]
    public void Quoting_escapes_quotes_backslashes_and_control_characters()
    {
        Assert.Equal("f: Invalid value: \"a\\\"b\\\\c\\nd\\u0001\": bad",
            FieldError.Invalid("f", "a\"b\\c\nd\u0001", "bad").Message);
    }

    [Fact]
    public void NotSupported_lists_the_supported_values()
    {
        Assert.Equal("spec.type: Unsupported value: \"Bogus\": supported values: \"ClusterIP\", \"NodePort\"",
            FieldError.NotSupported("spec.type", "Bogus", ["ClusterIP", "NodePort"]).Message);
    }

    [Fact]
    public void Duplicate_TooLong_and_Forbidden_read_like_Kubernetes()
    {
        Assert.Equal("spec.ports[1].name: Duplicate value: \"http\"", FieldError.Duplicate("spec.ports[1].name", "http").Message);
        Assert.Equal("metadata.annotations: Too long: may not be more than 262144 bytes",
            FieldError.TooLong("metadata.annotations", 262144).Message);
        Assert.Equal("metadata.namespace: Forbidden: not allowed on this type",
            FieldError.Forbidden("metadata.namespace", "not allowed on this type").Message);
    }

    [Fact]
    public void Records_with_the_same_content_are_equal()
    {
        Assert.Equal(FieldError.Invalid("a", "b", "c"), FieldError.Invalid("a", "b", "c"));
        Assert.NotEqual(FieldError.Invalid("a", "b", "c"), FieldError.Invalid("a", "x", "c"));
    }
}

using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Domain.ConfigMaps;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Secrets;
using Orchestrator.Domain.Validation;
using static Orchestrator.Domain.Tests.Resources.Objects;

namespace Orchestrator.Domain.Tests.Kinds;

public class ConfigMapKindTests
{
    private static List<FieldError> Errors(string json) => ConfigMapKind.Instance.Validate(Json(json)).ToList();

    [Fact]
    public void Keys_must_be_config_keys()
    {
        Assert.Empty(Errors("""{"data":{"a.b-c_D":"1"}}"""));
        var error = Assert.Single(Errors("""{"data":{"bad key":"1"}}"""));
        Assert.Equal("data[bad key]", error.Field);
        Assert.Equal(FieldErrorType.Invalid, error.Type);
        Assert.Single(Errors($$"""{"data":{"{{new string('k', 254)}}":"1"} }"""));
    }

    [Theory]
    [InlineData(".", "must not be '.'")]
    [InlineData("..", "must not be '..'")]
    [InlineData("..data", "must not start with '..'")]
    public void Keys_may_not_leave_the_volume_directory(string key, string detail)
    {
        var error = Assert.Single(ConfigMapKind.Instance.Validate(new JsonObject { ["data"] = new JsonObject { [key] = "x" } }));
        Assert.Equal($"data[{key}]", error.Field);
        Assert.Equal(detail, error.Detail);
        Assert.Empty(ConfigMapKind.Instance.Validate(new JsonObject { ["data"] = new JsonObject { [".hidden"] = "x" } }));
    }

    [Fact]
    public void A_key_may_not_be_in_data_and_binary_data()
    {
        var error = Assert.Single(Errors("""{"data":{"a":"1"},"binaryData":{"a":"MQ=="}}"""));
        Assert.Equal("binaryData[a]", error.Field);
    }

    [Fact]
    public void The_total_size_is_limited_to_1_MiB()
    {
        var obj = new JsonObject { ["data"] = new JsonObject { ["big"] = new string('x', ConfigMapKind.MaxDataBytes) } };
        var error = Assert.Single(ConfigMapKind.Instance.Validate(obj));
        Assert.Equal(FieldErrorType.TooLong, error.Type);
    }

    [Fact]
    public void Bad_base64_in_binary_data_is_refused_by_the_store()
    {
        var error = CreateError(ConfigMapKind.Instance, Json("""{"metadata":{"name":"cm"},"binaryData":{"a":"%%%"}}"""));
        Assert.Equal(400, error!.Code);
    }

    [Fact]
    public void An_immutable_config_map_keeps_its_data_and_flag()
    {
        var state = Created(ConfigMapKind.Instance, Json("""{"metadata":{"name":"cm"},"data":{"a":"1"},"immutable":true}"""));

        var data = state.Patch(PatchType.Merge, Json("""{"data":{"a":"2"}}"""), Subresource.Main, Context()).Error!;
        Assert.Equal(422, data.Code);
        Assert.Equal("data", Assert.Single(data.Causes!).Field);
        Assert.Equal("FieldValueForbidden", data.Causes![0].Reason);

        var flag = state.Patch(PatchType.Merge, Json("""{"immutable":false}"""), Subresource.Main, Context()).Error!;
        Assert.Equal("immutable", Assert.Single(flag.Causes!).Field);

        Assert.Null(state.Patch(PatchType.Merge, Json("""{"metadata":{"labels":{"a":"b"}}}"""), Subresource.Main, Context()).Error);
    }

    [Fact]
    public void A_mutable_config_map_may_change_and_become_immutable()
    {
        var state = Created(ConfigMapKind.Instance, Json("""{"metadata":{"name":"cm"},"data":{"a":"1"}}"""));
        Assert.Null(state.Patch(PatchType.Merge, Json("""{"data":{"a":"2"},"immutable":true}"""), Subresource.Main, Context()).Error);
    }

    [Fact]
    public void A_config_map_keeps_its_body_on_create()
    {
        var cm = Created(ConfigMapKind.Instance, Json("""{"metadata":{"name":"cm"},"data":{"a":"1"}}""")).Current!;
        Assert.Equal("""{"a":"1"}""", cm["data"]!.ToJsonString());
        Assert.Null(cm["status"]);
    }

    [Fact]
    public void Row_counts_data_and_binary_data()
    {
        var row = ConfigMapKind.Instance.Row(Json("""{"metadata":{"name":"cm"},"data":{"a":"1","b":"2"},"binaryData":{"c":"MQ=="}}"""), Now);
        Assert.Equal(["cm", "3", "<unknown>"], row);
    }
}

public class SecretKindTests
{
    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    [Fact]
    public void String_data_is_merged_into_data_as_base64_and_not_stored()
    {
        var secret = Created(SecretKind.Instance, Json("""{"metadata":{"name":"s"},"data":{"a":"YQ=="},"stringData":{"b":"héllo","a":"over"}}""")).Current!;
        Assert.Null(secret["stringData"]);
        Assert.Equal(B64("over"), secret["data"]!["a"]!.GetValue<string>());
        Assert.Equal(B64("héllo"), secret["data"]!["b"]!.GetValue<string>());
        Assert.Equal("Opaque", secret.GetString("type"));
    }

    [Fact]
    public void Bad_base64_in_data_is_BadRequest()
    {
        var error = CreateError(SecretKind.Instance, Json("""{"metadata":{"name":"s"},"data":{"a":"not base64!"}}"""))!;
        Assert.Equal(400, error.Code);
        Assert.Equal("Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data in data[a]", error.Message);
        Assert.Equal(400, CreateError(SecretKind.Instance, Json("""{"metadata":{"name":"s"},"data":{"a":5}}"""))!.Code);
    }

    [Fact]
    public void Keys_are_validated()
    {
        var fields = CreateErrorFields(SecretKind.Instance, Json("""{"metadata":{"name":"s"},"stringData":{"bad/key":"x"}}"""));
        Assert.Equal(["data[bad/key]"], fields);
    }

    [Fact]
    public void The_type_is_immutable()
    {
        var state = Created(SecretKind.Instance, Json("""{"metadata":{"name":"s"},"data":{"a":"YQ=="}}"""));
        var error = state.Patch(PatchType.Merge, Json("""{"type":"kubernetes.io/tls"}"""), Subresource.Main, Context()).Error!;
        Assert.Equal("type", Assert.Single(error.Causes!).Field);
    }

    [Fact]
    public void A_replace_without_type_keeps_the_default_type()
    {
        var state = Created(SecretKind.Instance, Json("""{"metadata":{"name":"s"},"data":{"a":"YQ=="}}"""));
        var decision = state.Replace(Json("""{"metadata":{"name":"s"},"stringData":{"a":"b"}}"""), Subresource.Main, Context());
        Assert.Null(decision.Error);
        Assert.Equal(B64("b"), decision.Result!["data"]!["a"]!.GetValue<string>());
        Assert.Equal(2, decision.Result!.Generation());
    }

    [Fact]
    public void An_immutable_secret_keeps_its_data()
    {
        var state = Created(SecretKind.Instance, Json("""{"metadata":{"name":"s"},"data":{"a":"YQ=="},"immutable":true}"""));
        var error = state.Patch(PatchType.Merge, Json("""{"stringData":{"a":"changed"}}"""), Subresource.Main, Context()).Error!;
        Assert.Equal("data", Assert.Single(error.Causes!).Field);
    }

    [Fact]
    public void Row_and_columns()
    {
        var row = SecretKind.Instance.Row(Json("""{"metadata":{"name":"s"},"type":"kubernetes.io/tls","data":{"a":"","b":""}}"""), Now);
        Assert.Equal(SecretKind.Instance.Columns.Count, row.Count);
        Assert.Equal(["s", "kubernetes.io/tls", "2", "<unknown>"], row);
    }
}

using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.Tests.Resources;

/// <summary>Builders for the resource tests: JSON objects from text, a fixed clock and uid, a store that has applied its events.</summary>
internal static class Objects
{
    public static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public static DecisionContext Context(string uid = "uid-1", DateTimeOffset? now = null) => new(now ?? Now, uid);

    public static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    public static JsonObject Pod(string name = "web", string image = "nginx:1.25") => Json($$$$"""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{{name}}}}","labels":{"app":"web"}},
         "spec":{"containers":[{"name":"c","image":"{{{{image}}}}"}]}}
        """);

    public static JsonObject ReplicaSet(string name = "rs", int replicas = 2) => Json($$$$"""
        {"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"{{{{name}}}}"},
         "spec":{"replicas":{{{{replicas}}}},"selector":{"matchLabels":{"app":"web"}},
                 "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"nginx"}]} } } }
        """);

    public static JsonObject Deployment(string name = "d") => Json($$$$"""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"{{{{name}}}}"},
         "spec":{"selector":{"matchLabels":{"app":"web"}},
                 "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"nginx"}]} } } }
        """);

    public static ResourceKey Key(ResourceKind kind, string name, string ns = "default") =>
        new(kind.Kind, kind.Namespaced ? ns : "", name);

    /// <summary>The state after a successful create (resourceVersion 1).</summary>
    public static ResourceState Created(ResourceKind kind, JsonObject obj, string? name = null)
    {
        var state = ResourceState.Empty(kind, Key(kind, name ?? obj.Name()));
        var decision = state.Create(obj, Context());
        Assert.True(decision.Error is null, decision.Error?.Message);
        return state.Apply(decision.Event!, 1);
    }

    /// <summary>Applies the decision's event as the next resourceVersion; fails the test on a refusal.</summary>
    public static ResourceState Then(this ResourceState state, Decision decision)
    {
        Assert.True(decision.Error is null, decision.Error?.Message);
        return decision.Event is null ? state : state.Apply(decision.Event, state.ResourceVersion + 1);
    }

    /// <summary>Runs a full create through the store and returns the error, or null when it is accepted.</summary>
    public static ApiError? CreateError(ResourceKind kind, JsonObject obj) =>
        ResourceState.Empty(kind, Key(kind, obj.Name())).Create(obj, Context()).Error;

    /// <summary>The fields named by the causes of a create refusal.</summary>
    public static IReadOnlyList<string> CreateErrorFields(ResourceKind kind, JsonObject obj) =>
        CreateError(kind, obj)?.Causes?.Select(c => c.Field).ToList() ?? [];
}

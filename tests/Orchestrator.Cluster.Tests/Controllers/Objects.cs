using System.Text.Json.Nodes;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Cluster.Tests.Controllers;

/// <summary>What the controller specs read off the objects (the objects themselves come from <c>TestObjects</c>).</summary>
public static class Objects
{
    public static JsonObject OwnerRef(JsonObject owner) => PodHelpers.NewControllerRef(owner);

    public static string? NodeOf(JsonObject pod) => pod["spec"]?["nodeName"]?.GetValue<string>();
}

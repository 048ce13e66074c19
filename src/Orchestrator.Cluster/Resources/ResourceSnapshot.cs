using System.Text.Json.Nodes;

namespace Orchestrator.Cluster.Resources;

/// <summary>An entity's snapshot: its object (null once deleted) and that object's resourceVersion.</summary>
public sealed record ResourceSnapshot(JsonObject? Object, long ResourceVersion);

namespace Orchestrator.Cluster;

/// <summary>
/// Marks every message that crosses the wire between members; one serializer binding
/// (<c>reference.conf</c>) covers them all.
/// </summary>
public interface IClusterMessage;

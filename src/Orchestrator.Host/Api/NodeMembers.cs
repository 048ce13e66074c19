using Akka.Actor;
using Akka.Cluster;
using Orchestrator.Cluster.Membership;
using Orchestrator.Cluster.Resources;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Host.Api;

/// <summary>
/// Finds the cluster member whose node agent runs a node (the Node's <c>orchestrator.io/member</c>
/// annotation, which must name a member that is Up): where logs, execs and port connections of
/// that node's pods are served.
/// </summary>
internal sealed class NodeMembers(ResourceStore store, ActorSystem system)
{
    /// <summary>The member's address; an <see cref="ApiErrorException"/> (404, 503) says why there is none.</summary>
    /// <param name="nodeName">The node.</param>
    /// <param name="what">What is to be reached, for the error message ("its logs").</param>
    /// <param name="cancellationToken">The request's token.</param>
    public async Task<Address> ResolveAsync(string nodeName, string what, CancellationToken cancellationToken)
    {
        System.Text.Json.Nodes.JsonObject node;
        try
        {
            node = await store.Get(NodeKind.Instance, "", nodeName, cancellationToken);
        }
        catch (ApiErrorException e) when (e.Error.Code == 404)
        {
            throw new ApiErrorException(ApiError.NotFound(NodeKind.Instance, nodeName));
        }
        if (node.Annotations().GetValueOrDefault(NodeLifecycle.MemberAnnotation) is not { Length: > 0 } member)
            throw new ApiErrorException(ApiError.ServiceUnavailable($"node {nodeName} names no cluster member ({NodeLifecycle.MemberAnnotation}); {what} cannot be reached from here"));
        var target = Akka.Cluster.Cluster.Get(system).State.Members
            .FirstOrDefault(m => m.Status == MemberStatus.Up && MemberLiveness.Format(m.UniqueAddress) == member);
        return target?.Address
            ?? throw new ApiErrorException(ApiError.ServiceUnavailable($"the cluster member {member} of node {nodeName} is not up; {what} cannot be reached"));
    }
}

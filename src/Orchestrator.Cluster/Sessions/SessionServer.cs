using Akka.Actor;

namespace Orchestrator.Cluster.Sessions;

/// <summary>
/// Serves one kind of per-request session of this member to other members (logs, exec, attach,
/// port connections): a named actor under /user that starts one child session per request, with
/// the requester (the sender) to stream to. A session is one connection, so a child that fails is
/// stopped, never restarted.
/// </summary>
public sealed class SessionServer<TRequest> : ReceiveActor
{
    public SessionServer(Func<TRequest, IActorRef, Props> session)
    {
        Receive<TRequest>(request => Context.ActorOf(session(request, Sender)));
    }

    /// <param name="session">The props of the session serving one request for its requester.</param>
    public static Props Props(Func<TRequest, IActorRef, Props> session) =>
        Akka.Actor.Props.Create(() => new SessionServer<TRequest>(session));

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);
}

using Orchestrator.CommandHost;
using Orchestrator.CommandHost.Internal;

namespace Orchestrator.Pbm.Tests.Host;

public sealed class CommandAuthorizationTests
{
    private static readonly CommandDefinition Show = new("show", "", []);
    private static readonly CommandDefinition Down = new("down", "", [], IsMutating: true);

    [Fact]
    public void Loopback_without_a_token_allows_everything()
    {
        var authorization = new CommandAuthorization(boundToLoopback: true, token: null);

        Assert.Null(authorization.Refusal("cluster show", Show, null));
        Assert.Null(authorization.Refusal("cluster down", Down, null));
        Assert.Null(authorization.Refusal("cluster down", Down, "whatever"));
    }

    [Fact]
    public void Loopback_with_a_token_guards_mutating_commands()
    {
        var authorization = new CommandAuthorization(boundToLoopback: true, token: "s3cret");

        Assert.Null(authorization.Refusal("cluster show", Show, null));
        Assert.Contains("changes the cluster", authorization.Refusal("cluster down", Down, null), StringComparison.Ordinal);
        Assert.Null(authorization.Refusal("cluster down", Down, "s3cret"));
    }

    [Fact]
    public void Beyond_loopback_every_command_needs_the_token()
    {
        var authorization = new CommandAuthorization(boundToLoopback: false, token: "s3cret");

        Assert.True(authorization.TokenRequiredForAll);
        Assert.Contains("reachable from the network", authorization.Refusal("cluster show", Show, null), StringComparison.Ordinal);
        Assert.NotNull(authorization.Refusal("cluster down", Down, null));
        Assert.Null(authorization.Refusal("cluster down", Down, "s3cret"));
    }

    [Fact]
    public void A_wrong_token_is_refused_and_never_echoed()
    {
        var authorization = new CommandAuthorization(boundToLoopback: false, token: "s3cret");

        var refusal = authorization.Refusal("cluster down", Down, "guess");

        Assert.Contains("not this node's token", refusal, StringComparison.Ordinal);
        Assert.DoesNotContain("guess", refusal, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Beyond_loopback_without_a_token_cannot_be_built() =>
        Assert.Throws<InvalidOperationException>(() => new CommandAuthorization(boundToLoopback: false, token: null));
}

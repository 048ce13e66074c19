using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Orchestrator.Domain.NodeAgent;

namespace Orchestrator.Domain.Tests.NodeAgent;

public sealed class RestartPolicyDecisionTests
{
    [Theory]
    [InlineData(RestartPolicy.Always, 0, true)]
    [InlineData(RestartPolicy.Always, 1, true)]
    [InlineData(RestartPolicy.Always, 137, true)]
    [InlineData(RestartPolicy.OnFailure, 0, false)]
    [InlineData(RestartPolicy.OnFailure, 1, true)]
    [InlineData(RestartPolicy.OnFailure, 137, true)]
    [InlineData(RestartPolicy.OnFailure, -1, true)]
    [InlineData(RestartPolicy.Never, 0, false)]
    [InlineData(RestartPolicy.Never, 1, false)]
    public void Decides_like_Kubernetes(RestartPolicy policy, int exitCode, bool restart) =>
        Assert.Equal(restart, RestartPolicyDecision.ShouldRestart(policy, exitCode));

    [Property]
    public Property OnFailure_restarts_exactly_the_failures() =>
        Prop.ForAll(
            Gen.Choose(-300, 300).ToArbitrary(),
            code => RestartPolicyDecision.ShouldRestart(RestartPolicy.OnFailure, code) == (code != 0));

    [Theory]
    [InlineData(null, RestartPolicy.Always)]
    [InlineData("", RestartPolicy.Always)]
    [InlineData("Always", RestartPolicy.Always)]
    [InlineData("OnFailure", RestartPolicy.OnFailure)]
    [InlineData("Never", RestartPolicy.Never)]
    public void Parses_the_pod_spec_values(string? value, RestartPolicy expected) =>
        Assert.Equal(expected, RestartPolicyDecision.Parse(value));

    [Theory]
    [InlineData("always")]
    [InlineData("Sometimes")]
    public void Refuses_other_values_with_the_supported_ones_in_the_message(string value)
    {
        var e = Assert.Throws<ArgumentException>(() => RestartPolicyDecision.Parse(value));
        Assert.Contains("\"OnFailure\"", e.Message, StringComparison.Ordinal);
    }
}

using Orchestrator.Domain.Volumes;

namespace Orchestrator.Domain.Tests.Volumes;

/// <summary>Kubernetes' hostPath type checks: what is created, what must already be there.</summary>
public sealed class HostPathCheckTests
{
    [Theory]
    [InlineData("", HostPathKind.Missing, HostPathAction.Mount)]
    [InlineData(null, HostPathKind.File, HostPathAction.Mount)]
    [InlineData("DirectoryOrCreate", HostPathKind.Missing, HostPathAction.CreateDirectory)]
    [InlineData("DirectoryOrCreate", HostPathKind.Directory, HostPathAction.Mount)]
    [InlineData("Directory", HostPathKind.Directory, HostPathAction.Mount)]
    [InlineData("FileOrCreate", HostPathKind.Missing, HostPathAction.CreateFile)]
    [InlineData("FileOrCreate", HostPathKind.File, HostPathAction.Mount)]
    [InlineData("File", HostPathKind.File, HostPathAction.Mount)]
    [InlineData("Socket", HostPathKind.Socket, HostPathAction.Mount)]
    [InlineData("CharDevice", HostPathKind.CharDevice, HostPathAction.Mount)]
    [InlineData("BlockDevice", HostPathKind.BlockDevice, HostPathAction.Mount)]
    public void Allowed(string? type, HostPathKind found, HostPathAction action) =>
        Assert.Equal(action, HostPathCheck.Decide("/p", type, found));

    [Theory]
    [InlineData("DirectoryOrCreate", HostPathKind.File, "hostPath type check failed: /p is not a directory")]
    [InlineData("Directory", HostPathKind.Missing, "hostPath type check failed: /p does not exist")]
    [InlineData("Directory", HostPathKind.File, "hostPath type check failed: /p is not a directory")]
    [InlineData("FileOrCreate", HostPathKind.Directory, "hostPath type check failed: /p is not a file")]
    [InlineData("File", HostPathKind.Socket, "hostPath type check failed: /p is not a file")]
    [InlineData("Socket", HostPathKind.File, "hostPath type check failed: /p is not a socket file")]
    [InlineData("CharDevice", HostPathKind.BlockDevice, "hostPath type check failed: /p is not a character device")]
    [InlineData("BlockDevice", HostPathKind.CharDevice, "hostPath type check failed: /p is not a block device")]
    [InlineData("BlockDevice", HostPathKind.Missing, "hostPath type check failed: /p does not exist")]
    public void Refused(string type, HostPathKind found, string message) =>
        Assert.Equal(message, Assert.Throws<VolumeSetupException>(() => HostPathCheck.Decide("/p", type, found)).Message);
}

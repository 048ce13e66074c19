using Docker.DotNet.Models;

namespace Orchestrator.Runtime.Internal;

/// <summary>Records pull progress synchronously (<see cref="Progress{T}"/> would report on the thread pool, after the pull returned).</summary>
internal sealed class PullProgress : IProgress<JSONMessage>
{
    public string? Error { get; private set; }

    public void Report(JSONMessage value)
    {
        var error = value.Error?.Message is { Length: > 0 } message ? message : value.ErrorMessage;
        if (!string.IsNullOrEmpty(error))
            Error ??= error;
    }
}

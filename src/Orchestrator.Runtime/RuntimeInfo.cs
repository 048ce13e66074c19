namespace Orchestrator.Runtime;

/// <summary>What a node reports about its container engine and capacity when it registers.</summary>
/// <param name="RuntimeName">The engine's kind, e.g. <c>docker</c>.</param>
/// <param name="EngineVersion">The engine's version, e.g. <c>20.10.24</c>.</param>
/// <param name="ApiVersion">The engine API version in use, e.g. <c>1.41</c>.</param>
/// <param name="OperatingSystem">The host's operating system as the engine reports it.</param>
/// <param name="KernelVersion">The host's kernel version.</param>
/// <param name="Architecture">The host's CPU architecture, e.g. <c>x86_64</c>.</param>
/// <param name="Cpus">Logical CPUs the engine can use.</param>
/// <param name="MemoryBytes">Memory the engine can use, in bytes.</param>
/// <param name="Hostname">The engine host's name.</param>
public sealed record RuntimeInfo(
    string RuntimeName,
    string EngineVersion,
    string ApiVersion,
    string OperatingSystem,
    string KernelVersion,
    string Architecture,
    int Cpus,
    long MemoryBytes,
    string Hostname);

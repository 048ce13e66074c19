using System.Globalization;
using Orchestrator.Runtime;
using Orchestrator.Runtime.Internal;

namespace Orchestrator.TestSupport.Runtime;

/// <summary>
/// An <see cref="IContainerRuntime"/> without an engine, for tests of the node agent's decisions.
/// It keeps what Docker keeps where the agent relies on it: containers with the runtime's labels
/// and engine names (a second create with the same name is refused, as the engine refuses it),
/// states, exit codes, start and finish times on the given clock, sandboxes with IP addresses and
/// host ports (a port taken by another running sandbox fails the start), spare sandboxes, images
/// (present, pullable, or neither), logs and exec. What a container does is set per container name
/// with <see cref="Program"/>; <see cref="Exit"/>, <see cref="WriteLog"/> and the image methods
/// change the world as a process or an operator would.
/// </summary>
public sealed partial class InMemoryContainerRuntime : IContainerRuntime
{
    /// <summary>The sandbox image present from the start, as scripts/setup.sh builds it for Docker.</summary>
    public const string SandboxImage = "orchestrator/pause:latest";

    private readonly object _gate = new();
    private readonly Dictionary<string, InMemoryContainer> _containers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _images = new(StringComparer.Ordinal) { SandboxImage };
    private readonly HashSet<string> _registry = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ContainerProgram> _programs = new(StringComparer.Ordinal);
    private readonly List<SentSignal> _signals = [];
    private readonly TimeProvider _time;
    private long _sequence;
    private int _nextIp = 2;

    public InMemoryContainerRuntime(string nodeName, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeName);
        ArgumentNullException.ThrowIfNull(time);
        NodeName = nodeName;
        _time = time;
    }

    public string NodeName { get; }

    /// <summary>How many containers (sandboxes included) were ever created.</summary>
    public int CreatedCount { get; private set; }

    /// <inheritdoc />
    public Task<RuntimeInfo> GetInfoAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new RuntimeInfo("in-memory", "1.0.0", "1.41", "in-memory", "0.0.0", "amd64", 4, 8L << 30, NodeName));

    /// <summary>The network the in-memory pods are on: <c>orchestrator-&lt;node&gt;</c>, 10.244.0.0/24, gateway 10.244.0.1.</summary>
    public PodNetwork PodNetwork { get; init; } = new("orchestrator-in-memory", System.Net.IPNetwork.Parse("10.244.0.0/24"), System.Net.IPAddress.Parse("10.244.0.1"), "br-inmemory");

    /// <inheritdoc />
    public Task<PodNetwork> GetPodNetworkAsync(CancellationToken cancellationToken) => Task.FromResult(PodNetwork);

    /// <inheritdoc />
    public Task<bool> EnsureImageAsync(string image, ImagePullPolicy pullPolicy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (ImageReference.TryParse(image) is null)
            throw new ImagePullException(image, RuntimeErrorReasons.InvalidImageName, $"invalid image name \"{image}\"");
        lock (_gate)
        {
            if (pullPolicy != ImagePullPolicy.Always && _images.Contains(image)) return Task.FromResult(false);
            if (pullPolicy == ImagePullPolicy.Never)
                throw new ImagePullException(image, RuntimeErrorReasons.ErrImageNeverPull, $"Container image \"{image}\" is not present with pull policy of Never");
            if (!_registry.Contains(image))
            {
                var message = $"pull access denied for {image}, repository does not exist or may require 'docker login'";
                throw new ImagePullException(image, RuntimeErrorReasons.ErrImagePull, $"failed to pull image \"{image}\": {message}", message);
            }
            _images.Add(image);
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public async Task<PodSandbox> RunPodSandboxAsync(PodSandboxConfig config, CancellationToken cancellationToken)
    {
        var id = await CreatePodSandboxAsync(config, cancellationToken);
        return await StartPodSandboxAsync(id, config, cancellationToken);
    }

    /// <inheritdoc />
    public Task<string> CreatePodSandboxAsync(PodSandboxConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        ValidatePod(config.Pod);
        lock (_gate)
        {
            if (!_images.Contains(SandboxImage))
                throw new PodSandboxException(config.Pod, $"cannot create the sandbox of pod {config.Pod}: the sandbox image \"{SandboxImage}\" is missing");
            var name = EngineMapping.EngineName(NodeName, config.Pod, ContainerLabels.SandboxContainerName, config.Attempt);
            if (_containers.Values.Any(c => c.EngineName == name))
                throw new PodSandboxException(config.Pod, $"cannot create the sandbox of pod {config.Pod}: Conflict. The container name \"/{name}\" is already in use");
            var labels = EngineMapping.Labels(NodeName, config.Labels, config.Pod, ContainerLabels.SandboxContainerName, ContainerLabels.SandboxKind, config.Attempt);
            return Task.FromResult(Add(new InMemoryContainer
            {
                Id = NewId(), EngineName = name, Name = ContainerLabels.SandboxContainerName, Kind = ContainerKind.Sandbox, Image = SandboxImage,
                Labels = labels, CreatedAt = _time.GetUtcNow(), Sequence = ++_sequence, Pod = config.Pod, HostPorts = config.PortMappings,
            }).Id);
        }
    }

    /// <inheritdoc />
    public async Task<PodSandbox> StartPodSandboxAsync(string sandboxId, PodSandboxConfig config, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sandboxId);
        ArgumentNullException.ThrowIfNull(config);
        if (SandboxStartGate is { } gate) await gate().WaitAsync(cancellationToken);
        lock (_gate)
        {
            try
            {
                if (!_containers.TryGetValue(sandboxId, out var sandbox))
                    throw new PodSandboxException(config.Pod, $"cannot start the sandbox of pod {config.Pod}: No such container: {sandboxId}");
                if (SandboxStartError?.Invoke(config.Pod) is { } error)
                    throw new PodSandboxException(config.Pod, $"cannot start the sandbox of pod {config.Pod}: {error}", error);
                var taken = _containers.Values.Where(c => c.Kind == ContainerKind.Sandbox && c.State == ContainerState.Running && c.Id != sandboxId)
                    .SelectMany(c => c.HostPorts).ToList();
                if (config.PortMappings.FirstOrDefault(p => taken.Any(t => t.HostPort == p.HostPort && t.Protocol == p.Protocol)) is { } clash)
                    throw new HostPortInUseException(config.Pod, config.PortMappings, $"Bind for 0.0.0.0:{clash.HostPort} failed: port is already allocated");
                sandbox.State = ContainerState.Running;
                sandbox.StartedAt = _time.GetUtcNow();
                sandbox.IpAddress = NewIp();
                sandbox.Touch();
                return new PodSandbox(sandbox.Id, config.Pod, sandbox.IpAddress);
            }
            catch (PodSandboxException)
            {
                // As the Docker runtime: a sandbox that did not start is removed, its members stay.
                _containers.Remove(sandboxId);
                throw;
            }
        }
    }

    /// <inheritdoc />
    public Task<SpareSandbox> RunSpareSandboxAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var spare = Add(new InMemoryContainer
            {
                Id = NewId(), EngineName = EngineMapping.SpareName(NodeName, Guid.NewGuid().ToString("N")), Name = ContainerLabels.SandboxContainerName,
                Kind = ContainerKind.Sandbox, Image = SandboxImage, CreatedAt = _time.GetUtcNow(), Sequence = ++_sequence,
                Labels = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    [ContainerLabels.Node] = NodeName,
                    [ContainerLabels.ContainerName] = ContainerLabels.SandboxContainerName,
                    [ContainerLabels.ContainerKind] = ContainerLabels.SandboxKind,
                    [ContainerLabels.Spare] = "true",
                },
            });
            spare.State = ContainerState.Running;
            spare.StartedAt = _time.GetUtcNow();
            spare.IpAddress = NewIp();
            return Task.FromResult(new SpareSandbox(spare.Id, spare.IpAddress));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SpareSandbox>> ListFreeSpareSandboxesAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var joined = _containers.Values.Select(c => c.SandboxId).OfType<string>().ToHashSet(StringComparer.Ordinal);
            var spares = _containers.Values.Where(c => c.Labels.GetValueOrDefault(ContainerLabels.Spare) == "true" && !joined.Contains(c.Id)).OrderBy(c => c.Sequence).ToList();
            foreach (var dead in spares.Where(s => s.State == ContainerState.Exited)) _containers.Remove(dead.Id);
            return Task.FromResult<IReadOnlyList<SpareSandbox>>([.. spares.Where(s => s.State == ContainerState.Running).Select(s => new SpareSandbox(s.Id, s.IpAddress!))]);
        }
    }

    /// <inheritdoc />
    public Task RemovePodSandboxAsync(string sandboxId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sandboxId);
        lock (_gate)
        {
            if (!_containers.TryGetValue(sandboxId, out var sandbox)) return Task.CompletedTask;
            if (sandbox.Kind != ContainerKind.Sandbox || sandbox.Labels.GetValueOrDefault(ContainerLabels.Node) != NodeName)
                throw new ArgumentException($"container {sandboxId} is not a pod sandbox of node \"{NodeName}\"", nameof(sandboxId));
            Remove(sandbox);
            var uid = sandbox.Labels.GetValueOrDefault(ContainerLabels.PodUid);
            foreach (var member in _containers.Values.Where(c => c.Kind == ContainerKind.App && (c.SandboxId == sandboxId || (uid is not null && c.Pod?.Uid == uid))).ToList())
                Remove(member);
            return Task.CompletedTask;
        }
    }

    /// <inheritdoc />
    public Task<string> CreateContainerAsync(PodSandbox sandbox, ContainerConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        return CreateContainerAsync(sandbox.Id, sandbox.Pod, config, cancellationToken);
    }

    /// <inheritdoc />
    public Task<string> CreateContainerAsync(string sandboxId, PodIdentity pod, ContainerConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrWhiteSpace(sandboxId);
        ValidatePod(pod);
        if (string.IsNullOrWhiteSpace(config.Name) || config.Name == ContainerLabels.SandboxContainerName)
            throw new ArgumentException($"container name \"{config.Name}\" of pod {pod}: must be non-empty and not \"{ContainerLabels.SandboxContainerName}\"", nameof(config));
        lock (_gate)
        {
            if (!_images.Contains(config.Image))
                throw new ImageNotFoundException(config.Image, $"No such image: {config.Image}");
            if (config.MemoryLimitBytes is < 6 * 1024 * 1024)
                throw new CreateContainerException(config.Name, "Minimum memory limit allowed is 6MB");
            if (ProgramOf(config.Name).CreateError is { } refused)
                throw new CreateContainerException(config.Name, refused);
            var name = EngineMapping.EngineName(NodeName, pod, config.Name, config.RestartCount);
            if (_containers.Values.Any(c => c.EngineName == name))
                throw new CreateContainerException(config.Name, $"Conflict. The container name \"/{name}\" is already in use");
            if (!_containers.ContainsKey(sandboxId))
                throw new CreateContainerException(config.Name, $"No such container: {sandboxId}");
            var labels = EngineMapping.Labels(NodeName, config.Labels, pod, config.Name, ContainerLabels.AppKind, config.RestartCount);
            labels[ContainerLabels.SandboxId] = sandboxId;
            return Task.FromResult(Add(new InMemoryContainer
            {
                Id = NewId(), EngineName = name, Name = config.Name, Kind = ContainerKind.App, Image = config.Image, Labels = labels,
                CreatedAt = _time.GetUtcNow(), Sequence = ++_sequence, Pod = pod, Config = config, SandboxId = sandboxId,
            }).Id);
        }
    }

    /// <inheritdoc />
    public Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        lock (_gate)
        {
            if (_containers.TryGetValue(containerId, out var container)) Remove(container);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ContainerStatus>> ListContainersAsync(IReadOnlyDictionary<string, string> labelFilter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(labelFilter);
        lock (_gate)
        {
            var mine = _containers.Values.Where(c => c.Labels.GetValueOrDefault(ContainerLabels.Node) == NodeName).ToList();
            var listed = mine.Where(c => labelFilter.All(f => c.Labels.GetValueOrDefault(f.Key) == f.Value)).ToList();
            // As the Docker runtime: a spare sandbox is listed as the sandbox of the pod whose app containers joined it.
            var owners = new Dictionary<string, PodIdentity>(StringComparer.Ordinal);
            foreach (var app in listed.Where(c => c is { Kind: ContainerKind.App, Pod: not null, SandboxId: not null }))
                owners.TryAdd(app.SandboxId!, app.Pod!);
            var spares = mine.Where(c => c.Labels.GetValueOrDefault(ContainerLabels.Spare) == "true" && owners.ContainsKey(c.Id) && !listed.Contains(c));
            var result = listed.Concat(spares).OrderBy(c => c.Sequence)
                .Select(c => c is { Kind: ContainerKind.Sandbox, Pod: null } && owners.TryGetValue(c.Id, out var owner) ? c.ToStatus() with { Pod = owner } : c.ToStatus())
                .ToList();
            return Task.FromResult<IReadOnlyList<ContainerStatus>>(result);
        }
    }

    /// <inheritdoc />
    public Task<ContainerDetails> InspectContainerAsync(string containerId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var c = Find(containerId);
            var config = c.Config;
            return Task.FromResult(new ContainerDetails(
                c.ToStatus(),
                config?.Command ?? [],
                config?.Args ?? [],
                config?.WorkingDir ?? "",
                [.. (config?.Env ?? []).Select(e => $"{e.Name}={e.Value}")],
                (config?.CpuLimitMillicores ?? 0) * 1_000_000,
                config?.MemoryLimitBytes ?? 0,
                c.SandboxId is { } sandbox ? $"container:{sandbox}" : "bridge",
                c.Kind == ContainerKind.App));
        }
    }

    private InMemoryContainer Add(InMemoryContainer container)
    {
        _containers[container.Id] = container;
        CreatedCount++;
        return container;
    }

    private void Remove(InMemoryContainer container)
    {
        _containers.Remove(container.Id);
        if (container.State == ContainerState.Running) Finish(container, 137);
    }

    private InMemoryContainer Find(string containerId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        return _containers.TryGetValue(containerId, out var container) ? container : throw new ContainerNotFoundException(containerId);
    }

    private ContainerProgram ProgramOf(string containerName) => _programs.GetValueOrDefault(containerName) ?? new ContainerProgram();

    private static string NewId() => Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");

    private string NewIp()
    {
        var n = _nextIp++;
        return string.Create(CultureInfo.InvariantCulture, $"10.88.{n / 250}.{(n % 250) + 2}");
    }

    private static void ValidatePod(PodIdentity pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        if (string.IsNullOrWhiteSpace(pod.Namespace) || string.IsNullOrWhiteSpace(pod.Name) || string.IsNullOrWhiteSpace(pod.Uid))
            throw new ArgumentException($"pod {pod}: namespace, name and uid must all be non-empty", nameof(pod));
    }
}

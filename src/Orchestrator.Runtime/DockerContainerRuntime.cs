using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using Orchestrator.Runtime.Internal;

namespace Orchestrator.Runtime;

/// <summary>
/// <see cref="IContainerRuntime"/> on a Docker engine (API 1.41 or later) through Docker.DotNet.
/// </summary>
/// <remarks>
/// A pod is one sandbox container running <see cref="DockerRuntimeOptions.SandboxImage"/> on
/// <see cref="DockerRuntimeOptions.Network"/> that publishes the pod's host ports, plus app containers
/// created with <c>NetworkMode = container:&lt;sandbox&gt;</c> (and its IPC namespace), so all of them
/// share one IP and reach each other on localhost. App containers run with the engine's init
/// (<c>HostConfig.Init</c>), so SIGTERM reaches processes that do not handle it as PID 1.
/// Engine container names follow <c>orch_&lt;node&gt;_&lt;namespace&gt;_&lt;pod&gt;_&lt;container&gt;_&lt;uid&gt;_&lt;attempt&gt;</c>.
/// </remarks>
public sealed partial class DockerContainerRuntime : IContainerRuntime, IDisposable
{
    private const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private readonly DockerRuntimeOptions _options;
    private readonly DockerClientConfiguration _configuration;
    private readonly DockerClient _client;

    // Images seen present, so a pod start costs no image lookup when its image is known
    // (IfNotPresent, Never). An entry is dropped when the engine says the image is missing at create.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _presentImages = new(StringComparer.Ordinal);

    // Programs found in an image (image id, program, PATH, working dir), so the missing-command check
    // before a start looks into the image's file system once per image and command, not per container.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _foundExecutables = new(StringComparer.Ordinal);

    public DockerContainerRuntime(DockerRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.NodeName, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.InspectConcurrency, 1, nameof(options));
        _options = options;
        _configuration = new DockerClientConfiguration(options.Endpoint, defaultTimeout: options.RequestTimeout);
        // Unversioned: the engine's own API version is used (asking for a newer one is refused).
        _client = _configuration.CreateClient();
    }

    /// <summary>The node this runtime works for.</summary>
    public string NodeName => _options.NodeName;

    /// <inheritdoc />
    public async Task<RuntimeInfo> GetInfoAsync(CancellationToken cancellationToken)
    {
        try
        {
            var version = await _client.System.GetVersionAsync(cancellationToken);
            var info = await _client.System.GetSystemInfoAsync(cancellationToken);
            return new RuntimeInfo(
                "docker",
                version.Version,
                version.APIVersion,
                info.OperatingSystem,
                info.KernelVersion,
                info.Architecture,
                (int)info.NCPU,
                info.MemTotal,
                info.Name);
        }
        catch (Exception e) when (EngineErrors.IsEngineFailure(e) || IsTimeout(e, cancellationToken))
        {
            throw EngineErrors.Unexpected("cannot read the engine's version", e);
        }
    }

    /// <inheritdoc />
    public async Task<bool> EnsureImageAsync(string image, ImagePullPolicy pullPolicy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (ImageReference.TryParse(image) is not { } reference)
            throw new ImagePullException(image, RuntimeErrorReasons.InvalidImageName, $"invalid image name \"{image}\"");

        if (pullPolicy != ImagePullPolicy.Always && (_presentImages.ContainsKey(image) || await IsImagePresentAsync(image, cancellationToken)))
            return false;

        if (pullPolicy == ImagePullPolicy.Never)
            throw new ImagePullException(
                image,
                RuntimeErrorReasons.ErrImageNeverPull,
                $"Container image \"{image}\" is not present with pull policy of Never");

        var progress = new PullProgress();
        try
        {
            await _client.Images.CreateImageAsync(
                new ImagesCreateParameters { FromImage = reference.Repository, Tag = reference.Tag },
                null,
                progress,
                cancellationToken);
        }
        catch (Exception e) when (EngineErrors.IsEngineFailure(e) || IsTimeout(e, cancellationToken))
        {
            var message = EngineErrors.MessageOf(e);
            var reason = message.Contains("invalid reference format", StringComparison.OrdinalIgnoreCase)
                ? RuntimeErrorReasons.InvalidImageName
                : RuntimeErrorReasons.ErrImagePull;
            throw new ImagePullException(image, reason, $"failed to pull image \"{image}\": {message}", message, e);
        }

        // Errors in the middle of a pull come as messages in the progress stream, not as a status code.
        if (progress.Error is { } error)
            throw new ImagePullException(image, RuntimeErrorReasons.ErrImagePull, $"failed to pull image \"{image}\": {error}", error);
        if (!await IsImagePresentAsync(image, cancellationToken))
            throw new ImagePullException(image, RuntimeErrorReasons.ErrImagePull, $"failed to pull image \"{image}\": the engine reported no error, but the image is not present");
        return true;
    }

    public void Dispose()
    {
        _client.Dispose();
        _configuration.Dispose();
    }

    private void ForgetImage(string image) => _presentImages.TryRemove(image, out _);

    private async Task<bool> IsImagePresentAsync(string image, CancellationToken cancellationToken)
    {
        try
        {
            await _client.Images.InspectImageAsync(image, cancellationToken);
            _presentImages[image] = 0;
            return true;
        }
        catch (DockerImageNotFoundException)
        {
            return false;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.BadRequest)
        {
            var message = EngineErrors.MessageOf(e);
            throw new ImagePullException(image, RuntimeErrorReasons.InvalidImageName, $"invalid image name \"{image}\": {message}", message, e);
        }
        catch (Exception e) when (EngineErrors.IsEngineFailure(e) || IsTimeout(e, cancellationToken))
        {
            throw EngineErrors.Unexpected($"cannot look up image \"{image}\"", e);
        }
    }

    private async Task RemoveQuietlyAsync(string id)
    {
        try
        {
            using var timeout = new CancellationTokenSource(_options.RequestTimeout);
            await _client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true }, timeout.Token);
        }
        catch (Exception e) when (EngineErrors.IsEngineFailure(e) || e is OperationCanceledException)
        {
            // Best effort: the caller reports the original failure.
        }
    }

    private static void ValidatePod(PodIdentity pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        if (string.IsNullOrWhiteSpace(pod.Namespace) || string.IsNullOrWhiteSpace(pod.Name) || string.IsNullOrWhiteSpace(pod.Uid))
            throw new ArgumentException($"pod {pod}: namespace, name and uid must all be non-empty", nameof(pod));
    }

    /// <summary>Docker.DotNet reports its own request timeout as a cancellation the caller did not ask for.</summary>
    private static bool IsTimeout(Exception e, CancellationToken cancellationToken) =>
        e is OperationCanceledException && !cancellationToken.IsCancellationRequested;
}

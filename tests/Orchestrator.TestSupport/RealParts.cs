using System.Net.Sockets;
using Xunit;

namespace Orchestrator.TestSupport;

/// <summary>
/// Knows whether the real parts some tests need (a Docker engine, a PostgreSQL server, the
/// kubectl binary) are present. On a developer's machine a missing part skips those tests with a
/// clear reason; with <c>ORCHESTRATOR_REQUIRE_REAL_PARTS=1</c> (set by <c>.ci/run</c>) nothing is
/// skipped, so a missing part fails the test instead of letting CI pass without it.
/// </summary>
public static class RealParts
{
    public const string RequireSwitch = "ORCHESTRATOR_REQUIRE_REAL_PARTS";

    public static bool Required =>
        Environment.GetEnvironmentVariable(RequireSwitch) is "1" or "true" or "yes";

    public static string DockerSocket =>
        Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host && host.StartsWith("unix://", StringComparison.Ordinal)
            ? host["unix://".Length..]
            : "/var/run/docker.sock";

    public static string PostgresConnectionString =>
        Environment.GetEnvironmentVariable("ORCHESTRATOR_TEST_POSTGRES")
        ?? "Host=127.0.0.1;Port=5432;Username=orchestrator;Password=orchestrator;Database=orchestrator";

    public static string KubectlPath =>
        Environment.GetEnvironmentVariable("ORCHESTRATOR_TEST_KUBECTL") ?? "/usr/bin/kubectl";

    /// <summary>The browser the dashboard tests drive (Debian's chromium).</summary>
    public static string ChromiumPath =>
        Environment.GetEnvironmentVariable("ORCHESTRATOR_TEST_CHROMIUM") ?? "/usr/bin/chromium";

    /// <summary>Null when the chromium binary exists, otherwise why not.</summary>
    public static string? ChromiumUnavailable =>
        File.Exists(ChromiumPath) ? null : $"chromium not found at {ChromiumPath} (run scripts/setup.sh)";

    private static readonly Lazy<string?> DockerReason = new(() =>
    {
        if (!File.Exists(DockerSocket))
            return $"no Docker engine: {DockerSocket} does not exist (run scripts/setup.sh)";
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(DockerSocket));
            return null;
        }
        catch (SocketException e)
        {
            return $"no Docker engine answers on {DockerSocket}: {e.Message} (run scripts/setup.sh)";
        }
    });

    private static readonly Lazy<string?> PostgresReason = new(() =>
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", 5432);
            return null;
        }
        catch (SocketException e)
        {
            return $"no PostgreSQL server on 127.0.0.1:5432: {e.Message} (run scripts/setup.sh)";
        }
    });

    /// <summary>Null when a Docker engine answers, otherwise why not.</summary>
    public static string? DockerUnavailable => DockerReason.Value;

    /// <summary>Null when PostgreSQL answers, otherwise why not.</summary>
    public static string? PostgresUnavailable => PostgresReason.Value;

    /// <summary>Null when the kubectl binary exists, otherwise why not.</summary>
    public static string? KubectlUnavailable =>
        File.Exists(KubectlPath) ? null : $"kubectl not found at {KubectlPath}";

    /// <summary>The skip reason to use for a test that needs a part: null (run) when present or required.</summary>
    public static string? SkipReason(string? unavailable) => Required ? null : unavailable;
}

/// <summary>A fact that needs a Docker engine: skipped with a reason on a developer's machine, failed in CI.</summary>
public sealed class DockerFactAttribute : FactAttribute
{
    public DockerFactAttribute() => Skip = RealParts.SkipReason(RealParts.DockerUnavailable);
}

/// <summary>A fact that needs a PostgreSQL server: skipped with a reason on a developer's machine, failed in CI.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute() => Skip = RealParts.SkipReason(RealParts.PostgresUnavailable);
}

/// <summary>A fact that runs the real kubectl binary: skipped with a reason where it is absent, failed in CI.</summary>
public sealed class KubectlFactAttribute : FactAttribute
{
    public KubectlFactAttribute() => Skip = RealParts.SkipReason(RealParts.KubectlUnavailable);
}

/// <summary>A fact that runs a multi-member cluster: needs a Docker engine and a PostgreSQL server.</summary>
public sealed class ClusterFactAttribute : FactAttribute
{
    public ClusterFactAttribute() => Skip = RealParts.SkipReason(RealParts.DockerUnavailable ?? RealParts.PostgresUnavailable);
}

/// <summary>A fact that drives the dashboard in a real headless Chromium against a node whose agent runs pods on Docker.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute() => Skip = RealParts.SkipReason(RealParts.ChromiumUnavailable ?? RealParts.DockerUnavailable);
}

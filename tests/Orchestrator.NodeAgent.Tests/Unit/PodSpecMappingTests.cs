using System.Text.Json.Nodes;
using Orchestrator.Domain.Pods;
using Orchestrator.NodeAgent.Sync;
using Orchestrator.Runtime;

namespace Orchestrator.NodeAgent.Tests.Unit;

public sealed class PodSpecMappingTests
{
    /// <summary>JSON written with ` for " to keep the manifests readable in C# strings.</summary>
    internal static JsonObject Json(string text) => JsonNode.Parse(text.Replace('`', '"'))!.AsObject();

    private static JsonObject Pod(string containers, string extraSpec = "") => Json(
        "{`apiVersion`:`v1`,`kind`:`Pod`," +
        "`metadata`:{`name`:`web`,`namespace`:`shop`,`uid`:`u-1`,`labels`:{`app`:`web`},`annotations`:{`team`:`blue`}}," +
        "`spec`:{`nodeName`:`node-a`,`containers`:" + containers + extraSpec + "}}");

    private static readonly JsonObject Settings = Json("{`apiVersion`:`v1`,`kind`:`ConfigMap`,`metadata`:{`name`:`settings`,`namespace`:`shop`},`data`:{`greeting`:`hello`,`mode`:`fast`}}");

    private static readonly JsonObject Credentials = Json("{`apiVersion`:`v1`,`kind`:`Secret`,`metadata`:{`name`:`creds`,`namespace`:`shop`},`data`:{`password`:`czNjcjN0`}}");

    [Fact]
    public void Command_args_working_dir_limits_and_labels_are_carried_over()
    {
        var pod = Pod("[{`name`:`app`,`image`:`orchestrator/busybox:latest`,`command`:[`sh`,`-c`],`args`:[`echo hi`],`workingDir`:`/tmp`," +
            "`resources`:{`limits`:{`cpu`:`500m`,`memory`:`64Mi`}}}]");
        var container = PodKind.Typed(pod).Spec.Containers[0];

        var config = PodSpecMapping.ContainerConfigFor(pod, container, new Dictionary<EnvSource, JsonObject>(), "10.0.0.5", 2);

        Assert.Equal(["sh", "-c"], config.Command!);
        Assert.Equal(["echo hi"], config.Args!);
        Assert.Equal("/tmp", config.WorkingDir);
        Assert.Equal(500, config.CpuLimitMillicores);
        Assert.Equal(64L * 1024 * 1024, config.MemoryLimitBytes);
        Assert.Equal("web", config.Labels!["app"]);
        Assert.Equal(2, config.RestartCount);
        Assert.Equal(512, config.CpuShares); // no cpu request: the limit is the request
    }

    [Theory]
    [InlineData("{`requests`:{`cpu`:`250m`},`limits`:{`cpu`:`1`}}", 256)]
    [InlineData("{`requests`:{`memory`:`8Mi`}}", 2)]
    [InlineData("{}", 2)]
    public void The_cpu_request_gives_the_cpu_shares(string resources, long shares)
    {
        var pod = Pod("[{`name`:`app`,`image`:`i:1`,`resources`:" + resources + "}]");
        var config = PodSpecMapping.ContainerConfigFor(pod, PodKind.Typed(pod).Spec.Containers[0], new Dictionary<EnvSource, JsonObject>(), null, 0);
        Assert.Equal(shares, config.CpuShares);
    }

    [Fact]
    public void Env_reads_literals_config_maps_secrets_and_fields_in_order()
    {
        var pod = Pod("[{`name`:`app`,`image`:`i:1`,`env`:[" +
            "{`name`:`PLAIN`,`value`:`v`}," +
            "{`name`:`GREETING`,`valueFrom`:{`configMapKeyRef`:{`name`:`settings`,`key`:`greeting`}}}," +
            "{`name`:`PASSWORD`,`valueFrom`:{`secretKeyRef`:{`name`:`creds`,`key`:`password`}}}," +
            "{`name`:`POD_NAME`,`valueFrom`:{`fieldRef`:{`fieldPath`:`metadata.name`}}}," +
            "{`name`:`POD_IP`,`valueFrom`:{`fieldRef`:{`fieldPath`:`status.podIP`}}}," +
            "{`name`:`TEAM`,`valueFrom`:{`fieldRef`:{`fieldPath`:`metadata.annotations['team']`}}}]}]");
        var container = PodKind.Typed(pod).Spec.Containers[0];
        Assert.Equal([new EnvSource("ConfigMap", "settings"), new EnvSource("Secret", "creds")], PodSpecMapping.EnvSources(container));

        var config = PodSpecMapping.ContainerConfigFor(pod, container, new Dictionary<EnvSource, JsonObject>
        {
            [new EnvSource("ConfigMap", "settings")] = Settings,
            [new EnvSource("Secret", "creds")] = Credentials,
        }, "10.0.0.5", 0);

        Assert.Equal(
            [new EnvVar("PLAIN", "v"), new EnvVar("GREETING", "hello"), new EnvVar("PASSWORD", "s3cr3t"), new EnvVar("POD_NAME", "web"), new EnvVar("POD_IP", "10.0.0.5"), new EnvVar("TEAM", "blue")],
            config.Env!);
    }

    [Fact]
    public void EnvFrom_adds_every_key_with_the_prefix()
    {
        var pod = Pod("[{`name`:`app`,`image`:`i:1`,`envFrom`:[{`configMapRef`:{`name`:`settings`},`prefix`:`CFG_`}]}]");
        var config = PodSpecMapping.ContainerConfigFor(pod, PodKind.Typed(pod).Spec.Containers[0],
            new Dictionary<EnvSource, JsonObject> { [new EnvSource("ConfigMap", "settings")] = Settings }, null, 0);
        Assert.Equal([new EnvVar("CFG_greeting", "hello"), new EnvVar("CFG_mode", "fast")], config.Env!);
    }

    [Fact]
    public void A_missing_config_map_or_key_is_a_config_error_unless_optional()
    {
        var pod = Pod("[{`name`:`app`,`image`:`i:1`,`env`:[{`name`:`A`,`valueFrom`:{`configMapKeyRef`:{`name`:`absent`,`key`:`k`}}}]}]");
        var e = Assert.Throws<ContainerConfigException>(() =>
            PodSpecMapping.ContainerConfigFor(pod, PodKind.Typed(pod).Spec.Containers[0], new Dictionary<EnvSource, JsonObject>(), null, 0));
        Assert.Contains("configmap \"absent\" not found", e.Message, StringComparison.Ordinal);

        var missingKey = Pod("[{`name`:`app`,`image`:`i:1`,`env`:[{`name`:`A`,`valueFrom`:{`configMapKeyRef`:{`name`:`settings`,`key`:`nope`}}}]}]");
        var e2 = Assert.Throws<ContainerConfigException>(() => PodSpecMapping.ContainerConfigFor(missingKey, PodKind.Typed(missingKey).Spec.Containers[0],
            new Dictionary<EnvSource, JsonObject> { [new EnvSource("ConfigMap", "settings")] = Settings }, null, 0));
        Assert.Contains("couldn't find key nope in ConfigMap shop/settings", e2.Message, StringComparison.Ordinal);

        var optional = Pod("[{`name`:`app`,`image`:`i:1`,`env`:[{`name`:`A`,`valueFrom`:{`configMapKeyRef`:{`name`:`absent`,`key`:`k`,`optional`:true}}}]}]");
        Assert.Empty(PodSpecMapping.ContainerConfigFor(optional, PodKind.Typed(optional).Spec.Containers[0], new Dictionary<EnvSource, JsonObject>(), null, 0).Env!);
    }

    [Fact]
    public void Host_ports_of_all_containers_are_published_on_the_sandbox()
    {
        var pod = Pod("[{`name`:`a`,`image`:`i:1`,`ports`:[{`containerPort`:80,`hostPort`:8080},{`containerPort`:81}]}," +
            "{`name`:`b`,`image`:`i:1`,`ports`:[{`containerPort`:53,`hostPort`:5353,`protocol`:`UDP`,`hostIP`:`127.0.0.1`}]}]");
        var sandbox = PodSpecMapping.SandboxConfig(pod, 3);
        Assert.Equal([new PortMapping(80, 8080), new PortMapping(53, 5353, PortProtocol.Udp, "127.0.0.1")], sandbox.PortMappings);
        Assert.Equal(new PodIdentity("shop", "web", "u-1"), sandbox.Pod);
        Assert.Equal(3, sandbox.Attempt);
    }

    [Theory]
    [InlineData("busybox", null, ImagePullPolicy.Always)]
    [InlineData("busybox:latest", null, ImagePullPolicy.Always)]
    [InlineData("busybox:1.36", null, ImagePullPolicy.IfNotPresent)]
    [InlineData("busybox:latest", "IfNotPresent", ImagePullPolicy.IfNotPresent)]
    [InlineData("busybox:1.36", "Never", ImagePullPolicy.Never)]
    public void Pull_policy_follows_Kubernetes_defaults(string image, string? policy, ImagePullPolicy expected) =>
        Assert.Equal(expected, PodSpecMapping.PullPolicy(new k8s.Models.V1Container { Name = "c", Image = image, ImagePullPolicy = policy }));

    [Fact]
    public void Grace_period_prefers_the_deletion_grace_then_the_spec()
    {
        var pod = Pod("[{`name`:`a`,`image`:`i:1`}]", ",`terminationGracePeriodSeconds`:7");
        Assert.Equal(TimeSpan.FromSeconds(7), PodSpecMapping.GracePeriod(pod));
        pod["metadata"]!["deletionGracePeriodSeconds"] = 2;
        Assert.Equal(TimeSpan.FromSeconds(2), PodSpecMapping.GracePeriod(pod));
    }
}

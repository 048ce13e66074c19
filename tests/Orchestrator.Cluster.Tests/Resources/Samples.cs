using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Cluster.Tests.Resources;

/// <summary>A valid object of every kind, by kind name.</summary>
public static class Samples
{
    public static JsonObject Of(string kind, string name, string ns = "default") =>
        JsonNode.Parse(Template(kind).Replace("__NAME__", name, StringComparison.Ordinal).Replace("__NS__", ns, StringComparison.Ordinal))!.AsObject();

    private static string Template(string kind) => kind switch
    {
        "Namespace" => """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"__NAME__"}}""",
        "Node" => """{"apiVersion":"v1","kind":"Node","metadata":{"name":"__NAME__","labels":{"zone":"a"}},"spec":{"taints":[{"key":"k","value":"v","effect":"NoSchedule"}]}}""",
        "Pod" => """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"__NAME__","namespace":"__NS__","labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"orchestrator/busybox:latest","command":["sleep","3600"],"resources":{"limits":{"cpu":"250m","memory":"64Mi"}}}]}}""",
        "Service" => """{"apiVersion":"v1","kind":"Service","metadata":{"name":"__NAME__","namespace":"__NS__"},"spec":{"selector":{"app":"web"},"ports":[{"port":80,"targetPort":8080}]}}""",
        "ConfigMap" => """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"__NAME__","namespace":"__NS__"},"data":{"a":"1"}}""",
        "Secret" => """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"__NAME__","namespace":"__NS__"},"stringData":{"password":"p"}}""",
        "Event" => """{"apiVersion":"v1","kind":"Event","metadata":{"name":"__NAME__","namespace":"__NS__"},"involvedObject":{"kind":"Pod","name":"web","namespace":"__NS__"},"reason":"Tested","message":"hello","type":"Normal"}""",
        "ReplicaSet" => """{"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"__NAME__","namespace":"__NS__"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"orchestrator/busybox:latest"}]}}}}""",
        "Deployment" => """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"__NAME__","namespace":"__NS__"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"orchestrator/busybox:latest"}]}}}}""",
        "DaemonSet" => """{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"__NAME__","namespace":"__NS__"},"spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"orchestrator/busybox:latest"}]}}}}""",
        "StatefulSet" => """{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"__NAME__","namespace":"__NS__"},"spec":{"replicas":2,"serviceName":"web","selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"orchestrator/busybox:latest"}]}}}}""",
        "Job" => """{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"__NAME__","namespace":"__NS__"},"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"orchestrator/busybox:latest"}]}}}}""",
        "CronJob" => """{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"__NAME__","namespace":"__NS__"},"spec":{"schedule":"*/5 * * * *","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure","containers":[{"name":"c","image":"orchestrator/busybox:latest"}]}}}}}}""",
        "Endpoints" => """{"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"__NAME__","namespace":"__NS__"},"subsets":[{"addresses":[{"ip":"192.0.2.1"}],"ports":[{"port":80}]}]}""",
        "EndpointSlice" => """{"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"__NAME__","namespace":"__NS__"},"addressType":"IPv4","endpoints":[{"addresses":["192.0.2.1"]}],"ports":[{"port":80}]}""",
        "ServiceAllocation" => """{"apiVersion":"internal.orchestrator/v1","kind":"ServiceAllocation","metadata":{"name":"__NAME__"},"spec":{"range":"cluster-ip","value":"10.96.0.9","service":{"namespace":"__NS__","name":"web"}}}""",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no sample for this kind"),
    };

    public static IEnumerable<object[]> Kinds => ResourceKinds.All.Select(k => new object[] { k.Kind });

    
}

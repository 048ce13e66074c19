using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.Controllers;

/// <summary>Revisions and rollbacks: the ReplicaSet of a new revision, which template is which revision (equal but for the hash label), and the pod-template-hash.</summary>
public static partial class DeploymentReconciler
{
    private static JsonObject NewReplicaSet(JsonObject deployment, JsonObject template, int collisionCount, int replicas, string revision,
        Dictionary<string, string> annotations, int desired, int maxSurge)
    {
        var hash = TemplateHash(template, collisionCount);
        var podTemplate = (JsonObject)template.DeepClone();
        var templateMeta = podTemplate["metadata"] as JsonObject ?? new JsonObject();
        podTemplate["metadata"] = templateMeta;
        var labels = templateMeta["labels"] as JsonObject ?? new JsonObject();
        templateMeta["labels"] = labels;
        labels[HashLabel] = hash;
        var selector = deployment["spec"]?["selector"]?.DeepClone() as JsonObject ?? new JsonObject();
        var matchLabels = selector["matchLabels"] as JsonObject ?? new JsonObject();
        selector["matchLabels"] = matchLabels;
        matchLabels[HashLabel] = hash;
        var rsAnnotations = new JsonObject();
        foreach (var (k, v) in annotations) rsAnnotations[k] = v;
        rsAnnotations[RevisionAnnotation] = revision;
        rsAnnotations[DesiredReplicasAnnotation] = desired.ToString(CultureInfo.InvariantCulture);
        rsAnnotations[MaxReplicasAnnotation] = (desired + maxSurge).ToString(CultureInfo.InvariantCulture);
        var spec = deployment["spec"] as JsonObject;
        return new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "ReplicaSet",
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{deployment.Name()}-{hash}",
                ["namespace"] = deployment.Namespace(),
                ["labels"] = labels.DeepClone(),
                ["annotations"] = rsAnnotations,
                ["ownerReferences"] = new JsonArray(PodHelpers.NewControllerRef(deployment)),
            },
            ["spec"] = new JsonObject
            {
                ["replicas"] = replicas,
                ["minReadySeconds"] = spec?["minReadySeconds"]?.DeepClone() ?? 0,
                ["selector"] = selector,
                ["template"] = podTemplate,
            },
        };
    }

    /// <summary>The deployment's annotations a ReplicaSet carries (change-cause and the like), without the controller's own.</summary>
    private static Dictionary<string, string> CopiedAnnotations(JsonObject deployment) =>
        deployment.Annotations()
            .Where(a => a.Key is not (RevisionAnnotation or DesiredReplicasAnnotation or MaxReplicasAnnotation or "kubectl.kubernetes.io/last-applied-configuration"))
            .ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);

    /// <summary>
    /// Two pod templates are the same rollout when equal apart from the pod-template-hash label and
    /// apart from empty values: a null, <c>{}</c> or <c>[]</c> field means what an absent one does (Kubernetes
    /// compares typed templates, where they are all the zero value). kubectl rollout undo sends the
    /// old ReplicaSet's template as Go serializes it (<c>creationTimestamp: null</c>, <c>resources: {}</c>).
    /// </summary>
    public static bool TemplatesEqual(JsonObject? a, JsonObject? b) => JsonNode.DeepEquals(WithoutHash(a), WithoutHash(b));

    private static JsonObject WithoutHash(JsonObject? template)
    {
        var copy = template?.DeepClone() as JsonObject ?? new JsonObject();
        if (copy["metadata"]?["labels"] is JsonObject labels) labels.Remove(HashLabel);
        PruneEmpty(copy);
        return copy;
    }

    /// <summary>Removes nulls, empty objects and empty arrays from objects, innermost first.</summary>
    private static bool PruneEmpty(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return true;
            case JsonObject o:
                foreach (var (key, value) in o.ToList())
                    if (PruneEmpty(value)) o.Remove(key);
                return o.Count == 0;
            case JsonArray a:
                foreach (var item in a) PruneEmpty(item);
                return a.Count == 0;
            default:
                return false;
        }
    }

    /// <summary>Kubernetes-style pod-template-hash: FNV-1a of the canonical template (and collision count), in safe characters.</summary>
    public static string TemplateHash(JsonObject template, int collisionCount = 0)
    {
        var text = new StringBuilder();
        Canonical(WithoutHash(template), text);
        if (collisionCount > 0) text.Append(collisionCount.ToString(CultureInfo.InvariantCulture));
        uint hash = 2166136261;
        foreach (var b in Encoding.UTF8.GetBytes(text.ToString()))
        {
            hash ^= b;
            hash *= 16777619;
        }
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Concat(hash.ToString(CultureInfo.InvariantCulture).Select(c => alphabet[c % alphabet.Length]));
    }

    private static void Canonical(JsonNode? node, StringBuilder into)
    {
        switch (node)
        {
            case JsonObject o:
                into.Append('{');
                foreach (var (k, v) in o.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    into.Append('"').Append(k).Append("\":");
                    Canonical(v, into);
                    into.Append(',');
                }
                into.Append('}');
                break;
            case JsonArray a:
                into.Append('[');
                foreach (var v in a)
                {
                    Canonical(v, into);
                    into.Append(',');
                }
                into.Append(']');
                break;
            default:
                into.Append(node?.ToJsonString() ?? "null");
                break;
        }
    }
}

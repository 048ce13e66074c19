using System.Text.Json.Nodes;
using k8s.Models;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Validation;

namespace Orchestrator.Domain.Namespaces;

/// <summary>Namespace (core/v1): a scope for names.</summary>
public sealed class NamespaceKind : ResourceKind<V1Namespace>
{
    public static readonly NamespaceKind Instance = new();

    /// <summary>Namespaces every cluster has from its first start.</summary>
    public static readonly IReadOnlyList<string> BuiltIn = ["default", "kube-system", "kube-public", "kube-node-lease"];

    public override string Kind => "Namespace";
    public override string Plural => "namespaces";
    public override bool Namespaced => false;
    public override IReadOnlyList<string> ShortNames => ["ns"];

    /// <summary>
    /// Holds a namespace's deletion until the namespace controller has deleted everything in it
    /// (Kubernetes keeps the same promise with its "kubernetes" finalizer).
    /// </summary>
    public const string ContentFinalizer = "orchestrator.io/namespace-content";

    /// <summary>Namespaces that may not be deleted, as in Kubernetes.</summary>
    public static readonly IReadOnlyList<string> Undeletable = ["default", "kube-system", "kube-public"];

    public override void PrepareForCreate(JsonObject obj)
    {
        base.PrepareForCreate(obj);
        obj["status"] = new JsonObject { ["phase"] = "Active" };
        var finalizers = obj.Metadata()["finalizers"] as JsonArray ?? new JsonArray();
        if (!finalizers.Any(f => f?.GetValue<string>() == ContentFinalizer)) finalizers.Add(ContentFinalizer);
        obj.Metadata()["finalizers"] = finalizers;
    }

    /// <summary>Every namespace carries its name as the label <c>kubernetes.io/metadata.name</c>, on create and on update.</summary>
    public override void ApplyDefaults(JsonObject obj)
    {
        var labels = obj.Metadata()["labels"] as JsonObject ?? new JsonObject();
        labels["kubernetes.io/metadata.name"] = obj.Name();
        obj.Metadata()["labels"] = labels;
    }

    public override IEnumerable<FieldError> Validate(JsonObject obj) => NameValidation.IsDns1123Label(obj.Name(), "metadata.name");

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Status", "string", "The status of the namespace"),
        AgeColumn,
    ];

    public override IReadOnlyList<object?> Row(JsonObject obj, DateTimeOffset now) =>
        [obj.Name(), obj.IsDeleting() ? "Terminating" : obj["status"].AsObjectOrNull().GetString("phase") ?? "Active", Age(obj, now)];
}

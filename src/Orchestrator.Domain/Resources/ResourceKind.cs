using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using Orchestrator.Domain.Validation;

namespace Orchestrator.Domain.Resources;

/// <summary>A column of the server-side table kubectl prints (<c>meta.k8s.io/v1 Table</c>).</summary>
public sealed record TableColumn(string Name, string Type, string Description, int Priority = 0, string Format = "");

/// <summary>
/// Everything the API server and the store need to know about one kind, in the manner of a
/// Kubernetes registry strategy: its names and API group, whether it is namespaced, how to
/// validate it, what to default on create, which fields are immutable, and how to print it.
/// One subclass per kind lives in that kind's folder.
/// </summary>
public abstract class ResourceKind
{
    public abstract string Kind { get; }

    /// <summary>API group: "" for the core group, "apps" for ReplicaSet and Deployment.</summary>
    public virtual string Group => "";

    public virtual string Version => "v1";

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public abstract string Plural { get; }

    public string Singular => Kind.ToLowerInvariant();

    public abstract bool Namespaced { get; }

    public virtual IReadOnlyList<string> ShortNames => [];

    /// <summary>False for kinds the control plane keeps for itself: not in discovery, not reachable through the API or manifests.</summary>
    public virtual bool Served => true;

    /// <summary>
    /// True when the kind has a <c>status</c> subresource: the main resource then ignores status
    /// changes and <c>/status</c> ignores everything but status, as in Kubernetes.
    /// </summary>
    public virtual bool HasStatusSubresource => true;

    /// <summary>True when the kind has a <c>scale</c> subresource (ReplicaSet, Deployment).</summary>
    public virtual bool HasScaleSubresource => false;

    /// <summary>The verbs listed in discovery.</summary>
    public IReadOnlyList<string> Verbs { get; } = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    /// <summary>
    /// Decodes the object into the typed <c>k8s.Models</c> shape and back. This drops unknown
    /// fields (as Kubernetes does) and reports type errors such as a string where a number belongs.
    /// </summary>
    public virtual JsonObject Normalize(JsonObject obj) => RoundTrip(obj);

    /// <summary>Only the decode into the typed shape and back: what is left out is unknown to the schema.</summary>
    public abstract JsonObject RoundTrip(JsonObject obj);

    /// <summary>Kind-specific validation of a whole object (metadata is validated by the store).</summary>
    public virtual IEnumerable<FieldError> Validate(JsonObject obj) => [];

    /// <summary>Kind-specific checks of an update, e.g. immutable fields.</summary>
    public virtual IEnumerable<FieldError> ValidateUpdate(JsonObject current, JsonObject updated) => [];

    /// <summary>
    /// Defaults of the desired state, applied to every write of the main resource (create, replace,
    /// patch) before validation, as Kubernetes defaults every object it decodes: a replace whose
    /// manifest leaves a defaulted field out gets the default again instead of clearing it (which
    /// would change an immutable field or the desired state by accident).
    /// </summary>
    public virtual void ApplyDefaults(JsonObject obj) { }

    /// <summary>Resets applied to a new object only, after <see cref="ApplyDefaults"/> (status is reset here).</summary>
    public virtual void PrepareForCreate(JsonObject obj)
    {
        if (HasStatusSubresource) obj.Remove("status");
    }

    /// <summary>The fields that make up the desired state: a change of these bumps <c>metadata.generation</c>.</summary>
    public virtual IEnumerable<string> SpecFields => ["spec"];

    public abstract IReadOnlyList<TableColumn> Columns { get; }

    /// <summary>The cells of one table row, in the order of <see cref="Columns"/>.</summary>
    public abstract IReadOnlyList<object?> Row(JsonObject obj, DateTimeOffset now);

    public override string ToString() => Kind;

    protected static readonly TableColumn NameColumn =
        new("Name", "string", "Name must be unique within a namespace.", 0, "name");

    protected static readonly TableColumn AgeColumn =
        new("Age", "string", "CreationTimestamp is a timestamp representing the server time when this object was created.");

    /// <summary>Human age as kubectl prints it: 5s, 3m, 2m30s, 4h, 3d, 2y10d ...</summary>
    public static string Age(JsonObject obj, DateTimeOffset now) =>
        obj.Timestamp("creationTimestamp") is { } created ? HumanDuration(now - created) : "<unknown>";

    public static string HumanDuration(TimeSpan d)
    {
        if (d < TimeSpan.Zero) d = TimeSpan.Zero;
        var s = (long)d.TotalSeconds;
        if (s < 120) return $"{s}s";
        var m = s / 60;
        if (m < 10) return s % 60 == 0 ? $"{m}m" : $"{m}m{s % 60}s";
        if (m < 180) return $"{m}m";
        var h = m / 60;
        if (h < 8) return m % 60 == 0 ? $"{h}h" : $"{h}h{m % 60}m";
        if (h < 48) return $"{h}h";
        var days = h / 24;
        if (days < 8) return h % 24 == 0 ? $"{days}d" : $"{days}d{h % 24}h";
        if (days < 365 * 2) return $"{days}d";
        var years = days / 365;
        if (years < 8) return days % 365 == 0 ? $"{years}y" : $"{years}y{days % 365}d";
        return $"{years}y";
    }
}

/// <summary>A kind whose typed shape is <typeparamref name="TModel"/> from <c>k8s.Models</c>.</summary>
public abstract class ResourceKind<TModel> : ResourceKind where TModel : class
{
    public override JsonObject RoundTrip(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        TModel? typed;
        try
        {
            typed = KubernetesJson.Deserialize<TModel>(obj);
        }
        catch (JsonException e)
        {
            throw new ApiErrorException(ApiError.BadRequest($"{Kind} in version \"{Version}\" cannot be handled as a {Kind}: {e.Message}"));
        }
        catch (FormatException e)
        {
            throw new ApiErrorException(ApiError.BadRequest($"{Kind} in version \"{Version}\" cannot be handled as a {Kind}: {e.Message}"));
        }
        if (typed is null) throw new ApiErrorException(ApiError.BadRequest($"{Kind}: empty object"));
        // Straight into a node (no JSON text in between): every write is decoded and encoded once.
        return JsonSerializer.SerializeToNode(typed, KubernetesOptions)!.AsObject();
    }

    /// <summary>The serializer options of the Kubernetes client (its converters for quantities, dates, ...).</summary>
    private static readonly JsonSerializerOptions KubernetesOptions = CaptureKubernetesOptions();

    private static JsonSerializerOptions CaptureKubernetesOptions()
    {
        JsonSerializerOptions? options = null;
        KubernetesJson.AddJsonOptions(o => options = o); // hands out the client's own options; nothing is changed
        return options ?? throw new InvalidOperationException("the Kubernetes client did not hand out its serializer options");
    }

    /// <summary>The typed view of an object, for validation and for controllers.</summary>
    public static TModel Typed(JsonObject obj) =>
        KubernetesJson.Deserialize<TModel>(obj)
        ?? throw new InvalidOperationException("empty object");
}

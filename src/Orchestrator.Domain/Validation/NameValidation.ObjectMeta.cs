using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Domain.Validation;

/// <summary>The checks of a whole <c>metadata</c>: apimachinery's ValidateObjectMeta and what it calls.</summary>
public static partial class NameValidation
{
    /// <summary>Label keys must be qualified names and values valid label values (errors are reported on <paramref name="path"/>).</summary>
    public static IReadOnlyList<FieldError> ValidateLabels(JsonObject? labels, string path)
    {
        var errors = new List<FieldError>();
        if (labels is null)
            return errors;
        foreach (var (key, node) in labels)
        {
            errors.AddRange(IsQualifiedName(key, path));
            if (TryGetString(node, out var value))
                errors.AddRange(IsValidLabelValue(value, path));
            else
                errors.Add(FieldError.Invalid($"{path}[{key}]", DescribeNode(node), "label values must be strings"));
        }
        return errors;
    }

    /// <summary>
    /// Annotation keys must be qualified names (case-insensitively) and all keys and values together
    /// must not exceed <see cref="TotalAnnotationSizeLimitBytes"/>.
    /// </summary>
    public static IReadOnlyList<FieldError> ValidateAnnotations(JsonObject? annotations, string path)
    {
        var errors = new List<FieldError>();
        if (annotations is null)
            return errors;
        long total = 0;
        foreach (var (key, node) in annotations)
        {
            foreach (var message in QualifiedNameMessages(key.ToLowerInvariant()))
                errors.Add(FieldError.Invalid(path, key, message));
            total += ByteLength(key);
            if (TryGetString(node, out var value))
                total += ByteLength(value);
            else
                errors.Add(FieldError.Invalid($"{path}[{key}]", DescribeNode(node), "annotation values must be strings"));
        }
        if (total > TotalAnnotationSizeLimitBytes)
            errors.Add(FieldError.TooLong(path, TotalAnnotationSizeLimitBytes));
        return errors;
    }

    /// <summary>
    /// The checks of apimachinery's ValidateObjectMeta: a valid name (or generateName), a namespace
    /// exactly when the kind is namespaced, a non-negative generation, labels, annotations, owner
    /// references and finalizers.
    /// </summary>
    public static IReadOnlyList<FieldError> ValidateObjectMeta(
        JsonObject metadata, bool namespaced, string path = "metadata", NameRule nameRule = NameRule.Dns1123Subdomain)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var errors = new List<FieldError>();

        var generateName = StringField(metadata, "generateName", path, errors);
        if (!string.IsNullOrEmpty(generateName))
        {
            foreach (var message in NameMessages(generateName, nameRule, prefix: true))
                errors.Add(FieldError.Invalid($"{path}.generateName", generateName, message));
        }

        var name = StringField(metadata, "name", path, errors);
        if (string.IsNullOrEmpty(name))
        {
            // A generateName stands in for the name until the server generates one; a non-string
            // name has been reported already.
            var nameIsNotString = metadata["name"] is not null && name is null;
            if (string.IsNullOrEmpty(generateName) && !nameIsNotString)
                errors.Add(FieldError.Required($"{path}.name", "name or generateName is required"));
        }
        else
        {
            foreach (var message in NameMessages(name, nameRule))
                errors.Add(FieldError.Invalid($"{path}.name", name, message));
        }

        var ns = StringField(metadata, "namespace", path, errors);
        if (namespaced)
        {
            if (string.IsNullOrEmpty(ns))
                errors.Add(FieldError.Required($"{path}.namespace"));
            else
                foreach (var message in Dns1123LabelMessages(ns))
                    errors.Add(FieldError.Invalid($"{path}.namespace", ns, message));
        }
        else if (!string.IsNullOrEmpty(ns))
        {
            errors.Add(FieldError.Forbidden($"{path}.namespace", "not allowed on this type"));
        }

        // Read numbers through their JSON text: a JsonValue built from an int does not convert to long.
        if (metadata["generation"] is JsonValue generation && generation.GetValueKind() == JsonValueKind.Number
            && long.TryParse(generation.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var gen)
            && gen < 0)
            errors.Add(FieldError.Invalid($"{path}.generation", gen, "must be greater than or equal to 0"));

        errors.AddRange(ValidateLabels(ObjectField(metadata, "labels", path, errors), $"{path}.labels"));
        errors.AddRange(ValidateAnnotations(ObjectField(metadata, "annotations", path, errors), $"{path}.annotations"));
        errors.AddRange(ValidateOwnerReferences(metadata["ownerReferences"], $"{path}.ownerReferences"));
        errors.AddRange(ValidateFinalizers(metadata["finalizers"], $"{path}.finalizers"));
        return errors;
    }

    /// <summary>Each owner reference needs apiVersion, kind, name and uid; at most one may be the controller.</summary>
    public static IReadOnlyList<FieldError> ValidateOwnerReferences(JsonNode? ownerReferences, string path)
    {
        var errors = new List<FieldError>();
        if (ownerReferences is null)
            return errors;
        if (ownerReferences is not JsonArray array)
        {
            errors.Add(FieldError.Invalid(path, DescribeNode(ownerReferences), "must be a list"));
            return errors;
        }
        var controllers = new List<string>();
        for (var i = 0; i < array.Count; i++)
        {
            var itemPath = $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]";
            if (array[i] is not JsonObject reference)
            {
                errors.Add(FieldError.Invalid(itemPath, DescribeNode(array[i]), "must be an object"));
                continue;
            }
            foreach (var field in new[] { "apiVersion", "kind", "name", "uid" })
            {
                if (!TryGetString(reference[field], out var value) || value.Length == 0)
                    errors.Add(FieldError.Invalid($"{itemPath}.{field}", value ?? "", $"{field} must not be empty"));
            }
            if (reference["controller"] is JsonValue c && c.GetValueKind() == JsonValueKind.True)
                controllers.Add(TryGetString(reference["name"], out var n) ? n : "");
        }
        if (controllers.Count > 1)
            errors.Add(FieldError.Invalid(path, DescribeNode(ownerReferences),
                "Only one reference can have Controller set to true. Found \"true\" in references for "
                + string.Join(" and ", controllers)));
        return errors;
    }

    /// <summary>Finalizers must be qualified names; duplicates are rejected.</summary>
    public static IReadOnlyList<FieldError> ValidateFinalizers(JsonNode? finalizers, string path)
    {
        var errors = new List<FieldError>();
        if (finalizers is null)
            return errors;
        if (finalizers is not JsonArray array)
        {
            errors.Add(FieldError.Invalid(path, DescribeNode(finalizers), "must be a list of strings"));
            return errors;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in array)
        {
            if (!TryGetString(item, out var finalizer))
            {
                errors.Add(FieldError.Invalid(path, DescribeNode(item), "finalizers must be strings"));
                continue;
            }
            errors.AddRange(IsQualifiedName(finalizer, path));
            if (!seen.Add(finalizer))
                errors.Add(FieldError.Duplicate(path, finalizer));
        }
        return errors;
    }

    private static int ByteLength(string s) => Encoding.UTF8.GetByteCount(s);

    /// <summary>Reads a string field; a non-string value is reported and read as null.</summary>
    private static string? StringField(JsonObject obj, string field, string path, List<FieldError> errors)
    {
        var node = obj[field];
        if (node is null)
            return null;
        if (TryGetString(node, out var value))
            return value;
        errors.Add(FieldError.Invalid($"{path}.{field}", DescribeNode(node), "must be a string"));
        return null;
    }

    private static JsonObject? ObjectField(JsonObject obj, string field, string path, List<FieldError> errors)
    {
        var node = obj[field];
        if (node is null or JsonObject)
            return node as JsonObject;
        errors.Add(FieldError.Invalid($"{path}.{field}", DescribeNode(node), "must be a map of strings"));
        return null;
    }
}

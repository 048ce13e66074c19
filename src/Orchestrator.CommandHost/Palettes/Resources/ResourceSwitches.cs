namespace Orchestrator.CommandHost.Palettes.Resources;

/// <summary>The switches the resource palettes share, spelled as kubectl spells them.</summary>
internal static class ResourceSwitches
{
    /// <summary>The namespace used when <c>-n</c> is not given, as in kubectl.</summary>
    public const string DefaultNamespace = "default";

    public static SwitchDefinition Namespace { get; } =
        new("namespace", "n", $"Namespace of the objects (default: {DefaultNamespace}).");

    public static SwitchDefinition AllNamespaces { get; } =
        new("all-namespaces", "A", "List the objects of every namespace.", IsFlag: true);

    public static SwitchDefinition Selector { get; } =
        new("selector", "l", "Label selector, e.g. app=web,tier!=db or 'env in (a,b)'.");

    public static SwitchDefinition Output { get; } =
        new("output", "o", "Output format: table (for people), json or yaml (the objects as stored).",
            AllowedValues: ["table", "json", "yaml"]);

    public static SwitchDefinition Watch { get; } =
        new("watch", "w", "After the list, print every change as it happens until Ctrl+C.", IsFlag: true);

    public static SwitchDefinition File { get; } =
        new("filename", "f", "Manifest file on this machine (YAML or JSON, documents separated by ---); - reads standard input.",
            IsRequired: true, IsLocalFile: true);

    /// <summary>The object's name, typed after the command (<c>pod describe web-1</c>) or as <c>--name</c>.</summary>
    public static SwitchDefinition Name(string what) =>
        new("name", null, $"The {what}'s name.", IsRequired: true, IsPositional: true);

    /// <summary>The switches of a <c>list</c> command.</summary>
    public static IReadOnlyList<SwitchDefinition> ForList(bool namespaced) =>
        namespaced ? [Namespace, AllNamespaces, Selector, Output, Watch] : [Selector, Output, Watch];

    /// <summary>The switches of a <c>describe</c> command.</summary>
    public static IReadOnlyList<SwitchDefinition> ForDescribe(string what, bool namespaced) =>
        namespaced ? [Name(what), Namespace, Output] : [Name(what), Output];
}

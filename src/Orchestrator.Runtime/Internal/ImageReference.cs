namespace Orchestrator.Runtime.Internal;

/// <summary>An image reference split the way the engine's pull API wants it: repository and tag (or digest).</summary>
internal readonly record struct ImageReference(string Repository, string Tag)
{
    /// <summary>
    /// Splits <c>[registry[:port]/]path[:tag][@digest]</c>; no tag means <c>latest</c>. Returns null for
    /// a reference that cannot be one (empty, whitespace, empty parts); the engine judges the rest.
    /// </summary>
    public static ImageReference? TryParse(string reference)
    {
        if (string.IsNullOrWhiteSpace(reference) || reference.Any(char.IsWhiteSpace))
            return null;

        var at = reference.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            var name = reference[..at];
            var digest = reference[(at + 1)..];
            // name:tag@digest: the digest decides, the tag is dropped (as the engine does).
            var nameOnly = StripTag(name);
            return nameOnly.Length == 0 || digest.Length == 0 ? null : new ImageReference(nameOnly, digest);
        }

        var slash = reference.LastIndexOf('/');
        var colon = reference.LastIndexOf(':');
        if (colon > slash)
        {
            var repository = reference[..colon];
            var tag = reference[(colon + 1)..];
            return repository.Length == 0 || tag.Length == 0 ? null : new ImageReference(repository, tag);
        }

        return reference.EndsWith('/') ? null : new ImageReference(reference, "latest");
    }

    private static string StripTag(string name)
    {
        var slash = name.LastIndexOf('/');
        var colon = name.LastIndexOf(':');
        return colon > slash ? name[..colon] : name;
    }

    public override string ToString() => Tag.Contains(':', StringComparison.Ordinal) ? $"{Repository}@{Tag}" : $"{Repository}:{Tag}";
}

namespace Orchestrator.Pbm.Grammar;

/// <summary>
/// The first step of <c>pbm [host:port] &lt;palette&gt; &lt;command&gt; [switches]</c>: which host, and the
/// rest of the words. Everything after the address is checked against the host's palettes by
/// <see cref="PaletteCommandTree"/>, since only the host knows them.
/// </summary>
/// <param name="Endpoint">The address given, or <see cref="HostEndpoint.Default"/>.</param>
/// <param name="Words">The palette, command and switches; empty for the interactive prompt.</param>
internal sealed record InvocationTarget(HostEndpoint Endpoint, IReadOnlyList<string> Words)
{
    /// <summary>Splits the process arguments; null and an error when the address is malformed.</summary>
    public static InvocationTarget? Split(IReadOnlyList<string> args, out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);
        error = null;
        if (args.Count > 0 && HostEndpoint.LooksLikeEndpoint(args[0]))
        {
            if (!HostEndpoint.TryParse(args[0], out var endpoint, out error))
                return null;
            return new InvocationTarget(endpoint!, args.Skip(1).ToArray());
        }
        return new InvocationTarget(HostEndpoint.Default, args.ToArray());
    }
}

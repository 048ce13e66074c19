namespace Orchestrator.Pbm.Rendering;

/// <summary>The console pbm talks through; redirected streams (scripts, tests) get plain output.</summary>
/// <param name="In">Where the interactive prompt reads lines when input is redirected.</param>
/// <param name="Out">Results.</param>
/// <param name="Error">Errors and diagnostics.</param>
/// <param name="IsInputRedirected">True when stdin is no terminal: the prompt reads plain lines, without editing keys.</param>
/// <param name="IsOutputRedirected">True when stdout is no terminal: tables are aligned text, no colors or borders.</param>
internal sealed record PbmConsole(TextReader In, TextWriter Out, TextWriter Error, bool IsInputRedirected, bool IsOutputRedirected)
{
    public static PbmConsole System() =>
        new(Console.In, Console.Out, Console.Error, Console.IsInputRedirected, Console.IsOutputRedirected);
}

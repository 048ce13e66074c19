namespace Orchestrator.Domain.Patching;

/// <summary>
/// A patch cannot be applied: malformed (bad directive, bad operation, bad path) or, for JSON
/// Patch, a failed <c>test</c>. The API server answers it with 422 (or 400 for a malformed body).
/// </summary>
public sealed class PatchException : Exception
{
    public PatchException()
    {
    }

    public PatchException(string message)
        : base(message)
    {
    }

    public PatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

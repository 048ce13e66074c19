using System.Globalization;
using System.Text;

namespace Orchestrator.NodeAgent.Sync;

/// <summary>
/// When each step of a pod's first start on this node happened (the first sync that found no
/// containers for it, the sandbox, each app container, the status write), for the debug log line
/// <c>pod-start-timeline</c> the pod start benchmark reads. Marks are wall-clock times from the
/// agent's <see cref="TimeProvider"/>; only the sync running for the pod writes them.
/// </summary>
internal sealed class PodStartTimeline(string pod)
{
    private readonly List<(string Step, DateTimeOffset At)> _marks = [];

    /// <summary>The log line's prefix.</summary>
    public const string Prefix = "pod-start-timeline";

    public bool Done { get; private set; }

    public void Mark(string step, DateTimeOffset at)
    {
        if (!Done) _marks.Add((step, at));
    }

    /// <summary>Ends the timeline and renders it: <c>pod-start-timeline ns/name step=unixMs ...</c>.</summary>
    public string Finish()
    {
        Done = true;
        var line = new StringBuilder(Prefix).Append(' ').Append(pod);
        foreach (var (step, at) in _marks)
            line.Append(' ').Append(step).Append('=').Append(at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        return line.ToString();
    }
}

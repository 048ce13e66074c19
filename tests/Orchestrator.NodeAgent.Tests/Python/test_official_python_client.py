"""The official Python client (Debian's python3-kubernetes) against a real node.

Run by OfficialClientTests (C#) with ORCHESTRATOR_SERVER (the API's base URL),
ORCHESTRATOR_NODE (the node agent's node name) and ORCHESTRATOR_NAMESPACE (a namespace of the
test's own) set; pytest -q prints one line per test.
"""
import os
import time

import pytest
from kubernetes import client, watch
from kubernetes.client.rest import ApiException
from kubernetes.stream import portforward, stream

SERVER = os.environ["ORCHESTRATOR_SERVER"]
NODE = os.environ["ORCHESTRATOR_NODE"]
NAMESPACE = os.environ["ORCHESTRATOR_NAMESPACE"]


def api():
    configuration = client.Configuration()
    configuration.host = SERVER
    return client.CoreV1Api(client.ApiClient(configuration))


def wait_for(what, probe, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError("timed out waiting for " + what)


@pytest.fixture(scope="module")
def web_pod():
    core = api()
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=NAMESPACE)))
    pod = client.V1Pod(
        metadata=client.V1ObjectMeta(name="py-web", labels={"app": "py-web"}),
        spec=client.V1PodSpec(
            node_name=NODE,
            termination_grace_period_seconds=1,
            containers=[client.V1Container(
                name="web",
                image="orchestrator/busybox:v2",
                command=["sh", "-c", "echo hello-from-python-pod; httpd -f -p 80 -h /www"],
            )],
        ),
    )
    core.create_namespaced_pod(NAMESPACE, pod)

    def running():
        p = core.read_namespaced_pod("py-web", NAMESPACE)
        statuses = p.status.container_statuses or []
        return p if p.status.phase == "Running" and statuses and statuses[0].ready else None

    yield wait_for("py-web running", running)
    core.delete_namespace(NAMESPACE)


def test_create_read_patch_list_with_selectors_and_delete():
    core = api()
    ns = NAMESPACE + "-crud"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=ns)))
    try:
        for i in range(3):
            core.create_namespaced_config_map(ns, client.V1ConfigMap(
                metadata=client.V1ObjectMeta(name="cm-%d" % i, labels={"tier": "front" if i < 2 else "back"}),
                data={"k": str(i)}))
        assert core.read_namespaced_config_map("cm-1", ns).data == {"k": "1"}
        patched = core.patch_namespaced_config_map("cm-1", ns, {"data": {"k": "patched"}})
        assert patched.data["k"] == "patched"
        front = core.list_namespaced_config_map(ns, label_selector="tier=front")
        assert sorted(c.metadata.name for c in front.items) == ["cm-0", "cm-1"]
        named = core.list_namespaced_config_map(ns, field_selector="metadata.name=cm-2")
        assert [c.metadata.name for c in named.items] == ["cm-2"]
        core.delete_namespaced_config_map("cm-0", ns)
        with pytest.raises(ApiException) as missing:
            core.read_namespaced_config_map("cm-0", ns)
        assert missing.value.status == 404
    finally:
        core.delete_namespace(ns)


def test_watch_from_a_resource_version_sees_later_changes():
    core = api()
    ns = NAMESPACE + "-watch"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=ns)))
    try:
        start = core.list_namespaced_config_map(ns).metadata.resource_version
        core.create_namespaced_config_map(ns, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="seen"), data={"a": "1"}))
        core.patch_namespaced_config_map("seen", ns, {"data": {"a": "2"}})
        events = []
        for event in watch.Watch().stream(core.list_namespaced_config_map, ns, resource_version=start, timeout_seconds=20):
            events.append((event["type"], event["object"].data.get("a")))
            if len(events) == 2:
                break
        assert events == [("ADDED", "1"), ("MODIFIED", "2")]
    finally:
        core.delete_namespace(ns)


def test_logs(web_pod):
    core = api()
    logs = wait_for("the pod's first line", lambda: core.read_namespaced_pod_log("py-web", NAMESPACE))
    assert "hello-from-python-pod" in logs


def test_exec_returns_output_and_exit_status(web_pod):
    core = api()
    out = stream(core.connect_get_namespaced_pod_exec, "py-web", NAMESPACE,
                 command=["sh", "-c", "echo from-exec"], stderr=True, stdin=False, stdout=True, tty=False)
    assert out == "from-exec\n"

    resp = stream(core.connect_get_namespaced_pod_exec, "py-web", NAMESPACE,
                  command=["sh", "-c", "echo to-stderr >&2; exit 7"], stderr=True, stdin=False, stdout=True, tty=False,
                  _preload_content=False)
    resp.run_forever(timeout=30)
    assert resp.read_stderr() == "to-stderr\n"
    assert resp.returncode == 7


def test_exec_with_stdin(web_pod):
    core = api()
    resp = stream(core.connect_get_namespaced_pod_exec, "py-web", NAMESPACE,
                  command=["sh", "-c", "read line; echo got-$line"], stderr=True, stdin=True, stdout=True, tty=False,
                  _preload_content=False)
    resp.write_stdin("typed\n")
    resp.run_forever(timeout=30)
    assert resp.read_stdout() == "got-typed\n"
    assert resp.returncode == 0


def test_port_forward_serves_the_page(web_pod):
    core = api()
    pf = portforward(core.connect_get_namespaced_pod_portforward, "py-web", NAMESPACE, ports="80")
    sock = pf.socket(80)
    sock.setblocking(True)
    sock.sendall(b"GET / HTTP/1.0\r\nHost: pod\r\n\r\n")
    reply = b""
    while True:
        data = sock.recv(4096)
        if not data:
            break
        reply += data
    sock.close()
    assert reply.startswith(b"HTTP/1.")
    assert b"hello from orchestrator/busybox" in reply
    assert pf.error(80) is None


def test_port_forward_to_a_closed_port_reports_the_error(web_pod):
    core = api()
    pf = portforward(core.connect_get_namespaced_pod_portforward, "py-web", NAMESPACE, ports="81")
    sock = pf.socket(81)
    sock.setblocking(True)
    assert sock.recv(4096) == b""
    error = wait_for("the port's error", lambda: pf.error(81), timeout=30)
    assert "error forwarding port 81" in error
    assert "refused" in error.lower()

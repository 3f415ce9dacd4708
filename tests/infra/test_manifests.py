#!/usr/bin/env python3
"""Checks Storefront's container and Kubernetes manifests without a Docker engine or a cluster.

  docker-compose.yml   `docker-compose config` accepts it (and refuses it without the secrets);
                       every service has a healthcheck (one-shot init containers excepted), a memory
                       limit, no hard-coded secret, pinned images, depends_on that waits for health;
                       every setting without a default in the file has one in .env
  infra/docker         the Dockerfile's build stage installs exactly the [build] section of
                       infra/packages.txt, which is exactly what the CMake configuration asks for;
                       the runtime stage installs exactly infra/packages-runtime.txt, which is
                       exactly what the built binaries link (when they are built); non-root user
  infra/k8s            `kubectl kustomize` renders every overlay; every Deployment and StatefulSet
                       container has readiness and liveness probes and cpu/memory requests and
                       limits; no Secret is committed; production has autoscalers, disruption
                       budgets, CloudNativePG, Strimzi and the topics of infra/kafka/topics.txt
  load balancing       every gRPC service's Kubernetes Service is headless (clusterIP: None) and
                       every caller's *_ADDR, in compose and in both overlays, is dns:///<service>:<port>:
                       a name that resolves to every replica, which the clients balance per call
  metrics and traces   every process, in compose and in both overlays, serves /metrics on 9464
                       (METRICS_ADDR, the containerPort, the scrape annotations agree); compose and
                       the dev overlay run Prometheus with infra/prometheus's rules and Zipkin, and
                       point TRACE_EXPORT_URL, PROMETHEUS_URL and TRACE_UI_URL at them
                       (infra/prometheus itself: tests/infra/test_prometheus.py)
  Kafka: mTLS, ACLs    compose's and dev's broker: every listener SSL with client auth required, the
                       StandardAuthorizer, allow.everyone.if.no.acl.found=false, User:kafka the one
                       super user, a principal mapping that makes a certificate User:<its CN>; the
                       topics and ACLs one-shots run as User:kafka before every process starts, and
                       every process reaches the TLS listener; the images carry storefront-kafka-acls.
                       Production: Strimzi's only listener is TLS with tls authentication, simple
                       authorization, the store's CA as clients CA, and a KafkaUser per process whose
                       ACLs are exactly `storefront-kafka-acls --print` (the built binary)

Run from anywhere: python3 tests/infra/test_manifests.py [--build-dir build/release]
CTest runs it as infra_manifests_test (infra/CMakeLists.txt). Prints one line per check and then
`N passed, M failed`; exits 1 when a check failed. A check whose tool is missing (kubectl, which
Debian 12 does not package in a usable version) or whose input is absent (binaries not built)
prints SKIP and counts as neither.
"""

import argparse
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from checks import Fail, Skip, check, summary

try:
    import yaml
except ImportError:  # pragma: no cover
    print("python3-yaml is missing (apt-get install python3-yaml; it is in infra/packages.txt)")
    print("0 passed, 1 failed")
    sys.exit(1)

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ["catalog", "cart", "checkout", "payments", "inventory", "shipping"]
PROCESSES = SERVICES + ["gateway"]
SERVICE_PORTS = {"catalog": 50051, "cart": 50052, "checkout": 50053, "payments": 50054,
                 "inventory": 50055, "shipping": 50056}
BINARIES = [f"{s}-service" for s in SERVICES] + ["storefront-gateway", "storefront-grpc-health",
                                                  "storefront-kafka-acls"]
# What debian:12-slim already holds of the libraries the binaries link (apt itself needs them).
SLIM_BASE_PACKAGES = {"libc6", "libstdc++6", "libgcc-s1"}
# Names that mark an environment variable as a secret.
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|CREDENTIAL|(^|_)KEY($|_)")
REQUIRED_VAR = re.compile(r"^\$\{[A-Z0-9_]+:\?[^}]*\}$")
URL_PASSWORD = re.compile(r"://[^:/@\s]+:([^@\s]+)@")

# What each requirement of the CMake configuration needs from Debian. The dpkg check below
# confirms the entries against the files installed on this machine where it can.
CMAKE_PACKAGES = {
    "find_package(Threads)": [],  # libc
    "find_package(PkgConfig)": ["pkg-config"],
    # FindProtobuf: headers and library, and protoc for protobuf_generate (proto/CMakeLists.txt)
    "find_package(Protobuf)": ["libprotobuf-dev", "protobuf-compiler"],
    # gRPCConfig.cmake: gRPC::grpc++ and the gRPC::grpc_cpp_plugin that proto/ generates with
    "find_package(gRPC)": ["libgrpc++-dev", "protobuf-compiler-grpc"],
    "find_package(nlohmann_json)": ["nlohmann-json3-dev"],
    "find_package(spdlog)": ["libspdlog-dev"],
    "find_package(CLI11)": ["libcli11-dev"],
    "pkg_check_modules(libsodium)": ["libsodium-dev"],
    "pkg_check_modules(libpqxx)": ["libpqxx-dev"],
    "pkg_check_modules(libpistache)": ["libpistache-dev"],
    "pkg_check_modules(rdkafka)": ["librdkafka-dev"],
    "pkg_check_modules(libjwt)": ["libjwt-dev"],
    "find_package(prometheus-cpp)": ["prometheus-cpp-dev"],
    "pkg_check_modules(libcurl)": ["libcurl4-openssl-dev"],
    # FindOpenSSL: the name in a certificate (shared/rpc/tls.cpp)
    "find_package(OpenSSL)": ["libssl-dev"],
}
# CMake files that locate each requirement, for the dpkg check (glob under /usr).
CMAKE_FILES = {
    "find_package(gRPC)": "lib/*/cmake/grpc/gRPCConfig.cmake",
    "find_package(nlohmann_json)": "share/cmake/nlohmann_json/nlohmann_jsonConfig.cmake",
    "find_package(spdlog)": "lib/*/cmake/spdlog/spdlogConfig.cmake",
    "find_package(CLI11)": "share/cmake/CLI11/CLI11Config.cmake",
    "find_package(prometheus-cpp)": "lib/*/cmake/prometheus-cpp/prometheus-cpp-config.cmake",
}


def run(command, **kwargs):
    return subprocess.run(command, capture_output=True, text=True, **kwargs)


# --- package lists ------------------------------------------------------------------------------

def package_sections(path):
    """{section: [package, ...]} of a list whose sections start with `# [name]`."""
    sections, current = {}, None
    for number, line in enumerate(path.read_text().splitlines(), 1):
        header = re.match(r"#\s*\[([a-z0-9-]+)\]", line)
        if header:
            current = header.group(1)
            sections.setdefault(current, [])
            continue
        package = line.split("#", 1)[0].strip()
        if package:
            if current is None:
                raise Fail(f"{path.name}:{number}: {package} is outside any `# [section]`")
            sections[current].append(package)
    return sections


def list_file(path):
    """The entries of a one-per-line list, comments and blank lines dropped."""
    return [p for p in (line.split("#", 1)[0].strip() for line in path.read_text().splitlines()) if p]


def check_package_lists():
    sections = package_sections(ROOT / "infra/packages.txt")
    if not sections.get("build"):
        raise Fail("infra/packages.txt has no [build] section")
    everything = [p for packages in sections.values() for p in packages]
    duplicates = sorted({p for p in everything if everything.count(p) > 1})
    runtime = list_file(ROOT / "infra/packages-runtime.txt")
    duplicates += sorted({p for p in runtime if runtime.count(p) > 1})
    if duplicates:
        raise Fail(f"listed twice: {duplicates}")
    # infra/local/lib.sh reads the file without sections: it must see the same packages.
    lib_view = run(["bash", "-c", f"source {ROOT}/infra/local/lib.sh && package_list"])
    if lib_view.returncode != 0 or lib_view.stdout.split() != everything:
        raise Fail("infra/local/lib.sh's package_list disagrees with the sections")


# --- CMake requirements -------------------------------------------------------------------------

def cmake_commands(text):
    """(name, [arguments]) of each command in a CMakeLists.txt, comments stripped."""
    text = re.sub(r"#[^\n]*", "", text)
    commands, position = [], 0
    pattern = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(")
    while True:
        match = pattern.search(text, position)
        if not match:
            return commands
        depth, index = 1, match.end()
        while depth and index < len(text):
            depth += {"(": 1, ")": -1}.get(text[index], 0)
            index += 1
        arguments = text[match.end():index - 1].replace("(", " ").replace(")", " ").split()
        commands.append((match.group(1).lower(), [a.strip('"') for a in arguments]))
        position = index


def cmake_requirements(directory, found, visited):
    """Walks the CMakeLists.txt a release configuration with tests and benchmarks off reads:
    add_subdirectory inside an if() is optional (tests, benchmarks, the Qt console) and skipped."""
    if directory in visited:
        return
    visited.add(directory)
    conditions = []
    for name, arguments in cmake_commands((directory / "CMakeLists.txt").read_text()):
        if name == "if":
            conditions.append(arguments)
        elif name == "endif":
            conditions.pop()
        elif conditions:
            continue
        elif name == "find_package" and "REQUIRED" in arguments:
            found.add(f"find_package({arguments[0]})")
        elif name == "pkg_check_modules" and "REQUIRED" in arguments:
            modules = [a for a in arguments[1:] if a not in ("REQUIRED", "IMPORTED_TARGET", "QUIET")]
            found.update(f"pkg_check_modules({m})" for m in modules)
        elif name == "add_subdirectory":
            cmake_requirements(directory / arguments[0], found, visited)


def unconditional_subdirectories():
    subdirectories, depth = [], 0
    for name, arguments in cmake_commands((ROOT / "CMakeLists.txt").read_text()):
        depth += {"if": 1, "endif": -1}.get(name, 0)
        if name == "add_subdirectory" and depth == 0:
            subdirectories.append(arguments[0])
    return subdirectories


def dpkg_owner(path):
    """The package that installed PATH, or None."""
    candidates = [str(path), os.path.realpath(path)]
    for candidate in list(candidates):
        for a, b in (("/lib/", "/usr/lib/"), ("/usr/lib/", "/lib/")):
            if candidate.startswith(a):
                candidates.append(b + candidate[len(a):])
    for candidate in candidates:
        result = run(["dpkg-query", "-S", candidate])
        if result.returncode == 0:
            return result.stdout.split(":", 1)[0].split(",")[0].strip()
    return None


def direct_depends(package):
    result = run(["dpkg-query", "-W", "-f=${Depends}", package])
    return {d.split()[0].split(":")[0] for d in re.split(r"[,|]", result.stdout) if d.strip()}


def check_build_section_is_what_cmake_needs():
    found = set()
    cmake_requirements(ROOT, found, set())
    unknown = sorted(found - CMAKE_PACKAGES.keys())
    if unknown:
        raise Fail(f"no Debian package known for {unknown}: add it to infra/packages.txt [build] "
                   "and to CMAKE_PACKAGES in this test")
    presets = (ROOT / "CMakePresets.json").read_text()
    needed = {"g++", "cmake"} | ({"ninja-build"} if '"Ninja"' in presets else set())
    for requirement in found:
        needed.update(CMAKE_PACKAGES[requirement])
    listed = set(package_sections(ROOT / "infra/packages.txt")["build"])
    problems = []
    if needed - listed:
        problems.append(f"missing from [build]: {sorted(needed - listed)}")
    if listed - needed:
        problems.append(f"in [build] but not needed by the CMake configuration: {sorted(listed - needed)}")
    if problems:
        raise Fail("; ".join(problems))


def check_cmake_table_against_dpkg():
    if not shutil.which("dpkg-query") or not shutil.which("pkg-config"):
        raise Skip("dpkg-query or pkg-config not found")
    problems, confirmed = [], 0
    for requirement, packages in CMAKE_PACKAGES.items():
        paths = []
        module = re.fullmatch(r"pkg_check_modules\((.+)\)", requirement)
        if module:
            directory = run(["pkg-config", "--variable=pcfiledir", module.group(1)]).stdout.strip()
            if directory:
                paths.append(Path(directory) / f"{module.group(1)}.pc")
        elif requirement in CMAKE_FILES:
            paths += sorted(Path("/usr").glob(CMAKE_FILES[requirement]))
        for path in paths:
            owner = dpkg_owner(path)
            if owner is None:
                continue
            if not any(owner == p or owner in direct_depends(p) for p in packages):
                problems.append(f"{requirement}: {path} comes from {owner}, not from {packages}")
            confirmed += 1
    if problems:
        raise Fail("; ".join(problems))
    if confirmed == 0:
        raise Skip("none of the build packages is installed here")


# --- Dockerfile ---------------------------------------------------------------------------------

def dockerfile_stages(path):
    """[(name, base image, [(instruction, arguments)])] with continuation lines joined."""
    text = re.sub(r"\\\n", " ", path.read_text())
    stages = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, arguments = line.partition(" ")
        instruction = instruction.upper()
        if instruction == "FROM":
            words = arguments.split()
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append((name, words[0], []))
        elif stages:
            stages[-1][2].append((instruction, arguments.strip()))
    return stages


def installed_by(stage):
    """The packages a stage's RUN apt-get install lines install. A list generated from a copied
    file (`<pipeline> | xargs ... apt-get install`) is evaluated against the repository's file."""
    _, _, instructions = stage
    copies = {}
    for instruction, arguments in instructions:
        if instruction == "COPY" and not arguments.startswith("--from"):
            words = arguments.split()
            copies[words[-1]] = str(ROOT / words[0])
    packages = []
    for instruction, arguments in instructions:
        if instruction != "RUN":
            continue
        for segment in arguments.split("&&"):
            if "apt-get install" not in segment:
                continue
            producer, _, consumer = segment.rpartition("| xargs")
            after = (consumer if producer else segment).split("apt-get install", 1)[1]
            packages += [w for w in after.split() if not w.startswith("-")]
            if producer:
                for destination, source in copies.items():
                    producer = producer.replace(destination, source)
                result = run(["bash", "-o", "pipefail", "-c", producer], cwd=ROOT)
                if result.returncode != 0:
                    raise Fail(f"the package list pipeline failed: {producer.strip()}: {result.stderr}")
                packages += result.stdout.split()
    return packages


def stage_named(stages, name):
    for stage in stages:
        if stage[0] == name:
            return stage
    raise Fail(f"infra/docker/Dockerfile has no stage `{name}`")


def check_dockerfile_build_stage():
    stages = dockerfile_stages(ROOT / "infra/docker/Dockerfile")
    build = stage_named(stages, "build")
    if build[1] != "debian:12":
        raise Fail(f"the build stage is FROM {build[1]}, not debian:12")
    installed = installed_by(build)
    expected = package_sections(ROOT / "infra/packages.txt")["build"]
    if sorted(installed) != sorted(expected):
        raise Fail(f"installs {sorted(installed)}, infra/packages.txt [build] lists {sorted(expected)}")
    sources = {source.rstrip("/") for instruction, arguments in build[2] if instruction == "COPY"
               for source in arguments.split()[:-1] if not source.startswith("--")}
    missing = [d for d in unconditional_subdirectories()
               if d not in sources and f"{d}/CMakeLists.txt" not in sources]
    if missing:
        raise Fail(f"the root CMakeLists.txt adds {missing}, which the build stage does not copy")


def check_dockerfile_runtime_stages():
    stages = dockerfile_stages(ROOT / "infra/docker/Dockerfile")
    runtime = stage_named(stages, "runtime")
    if runtime[1] != "debian:12-slim":
        raise Fail(f"the runtime stage is FROM {runtime[1]}, not debian:12-slim")
    installed = installed_by(runtime)
    expected = list_file(ROOT / "infra/packages-runtime.txt")
    if sorted(installed) != sorted(expected):
        raise Fail(f"installs {sorted(installed)}, infra/packages-runtime.txt lists {sorted(expected)}")
    users = [a for i, a in runtime[2] if i == "USER"]
    if not users or users[-1].split(":")[0] in ("0", "root") or not users[-1].split(":")[0].isdigit():
        raise Fail(f"the runtime stage must end as a numeric non-root USER, has {users}")
    for tool in ("storefront-grpc-health", "storefront-kafka-acls"):
        if not any(i == "COPY" and tool in a for i, a in runtime[2]):
            raise Fail(f"the runtime stage does not copy {tool}")
    build = stage_named(stages, "build")
    built = " ".join(a for i, a in build[2] if i == "RUN")
    if not re.search(r"--target [^&]*\bstorefront-kafka-acls\b", built) or \
            not re.search(r"strip [^&]*\bstorefront-kafka-acls\b", built):
        raise Fail("the build stage does not build and strip storefront-kafka-acls")
    for process in PROCESSES:
        name, base, instructions = stage_named(stages, process)
        if base != "runtime":
            raise Fail(f"stage {process} is FROM {base}, not runtime")
        if any(i == "USER" for i, _ in instructions) or any(i == "RUN" for i, _ in instructions):
            raise Fail(f"stage {process} changes USER or runs commands; it should only add its binary")
        if not any(i == "ENTRYPOINT" for i, _ in instructions):
            raise Fail(f"stage {process} has no ENTRYPOINT")
    probe = ROOT / "infra/docker/http-probe"
    if not os.access(probe, os.X_OK):
        raise Fail("infra/docker/http-probe is not executable (the image copies its mode)")


def find_binaries(build_dir):
    candidates = [Path(build_dir) / "bin"] if build_dir else []
    candidates.append(ROOT / "build/release/bin")
    for directory in candidates:
        if all((directory / b).exists() for b in BINARIES):
            needed = run(["readelf", "-d", str(directory / BINARIES[0])]).stdout
            if "libasan" not in needed:  # a sanitizer build is not what the images ship
                return directory
    return None


def check_runtime_packages_match_binaries(build_dir):
    for tool in ("readelf", "ldconfig", "dpkg-query"):
        if not shutil.which(tool):
            raise Skip(f"{tool} not found")
    directory = find_binaries(build_dir)
    if directory is None:
        raise Skip("the release binaries are not built (cmake --build --preset release)")
    # soname -> path from the linker cache; on x86_64 only the 64-bit entries.
    libraries = {}
    x86_64 = os.uname().machine == "x86_64"
    for line in run(["ldconfig", "-p"]).stdout.splitlines()[1:]:
        match = re.match(r"\s*(\S+) \(([^)]*)\) => (\S+)", line)
        if match and (not x86_64 or "x86-64" in match.group(2)):
            libraries.setdefault(match.group(1), match.group(3))
    providers, unresolved = set(), []
    for binary in BINARIES:
        dynamic = run(["readelf", "-d", str(directory / binary)]).stdout
        for soname in re.findall(r"Shared library: \[([^\]]+)\]", dynamic):
            owner = dpkg_owner(libraries[soname]) if soname in libraries else None
            if owner is None:
                unresolved.append(f"{binary}: {soname}")
            else:
                providers.add(owner)
    if unresolved:
        raise Fail(f"no package provides {unresolved}")
    needed = providers - SLIM_BASE_PACKAGES
    listed = set(list_file(ROOT / "infra/packages-runtime.txt"))
    problems = []
    if needed - listed:
        problems.append(f"the binaries in {directory} link libraries of {sorted(needed - listed)}, "
                        "missing from infra/packages-runtime.txt")
    if listed - needed:
        problems.append(f"infra/packages-runtime.txt lists {sorted(listed - needed)}, which no binary links")
    if problems:
        raise Fail("; ".join(problems))


# --- docker-compose.yml -------------------------------------------------------------------------

def compose_command():
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker") and run(["docker", "compose", "version"]).returncode == 0:
        return ["docker", "compose"]
    return None


def secrets_from_make_secrets():
    with tempfile.TemporaryDirectory() as directory:
        file = Path(directory) / "secrets.env"
        result = run([str(ROOT / "infra/docker/make-secrets"), str(file)])
        if result.returncode != 0:
            raise Fail(f"infra/docker/make-secrets failed: {result.stderr}")
        if file.stat().st_mode & 0o077:
            raise Fail("infra/docker/make-secrets wrote a file others can read")
        return dict(line.split("=", 1) for line in file.read_text().splitlines()
                    if line and not line.startswith("#"))


def compose_environment(with_secrets):
    environment = {k: v for k, v in os.environ.items()
                   if k not in secrets_from_make_secrets() and not k.startswith("COMPOSE_")}
    if with_secrets:
        environment.update(secrets_from_make_secrets())
    return environment


def check_compose_config():
    command = compose_command()
    if command is None:
        raise Fail("neither docker-compose nor `docker compose` is installed "
                   "(apt-get install docker-compose; it is in infra/packages.txt)")
    accepted = run(command + ["config", "--quiet"], cwd=ROOT, env=compose_environment(True))
    if accepted.returncode != 0:
        raise Fail(f"`{' '.join(command)} config` refused the file: {accepted.stderr.strip()}")
    refused = run(command + ["config", "--quiet"], cwd=ROOT, env=compose_environment(False))
    if refused.returncode == 0 or "make-secrets" not in refused.stderr:
        raise Fail("without the secrets in the environment `config` must fail and say how to make them")


def compose_file():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def environment_items(service):
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        return [tuple(item.split("=", 1)) if "=" in item else (item, None) for item in environment]
    return list(environment.items())


def check_compose_services():
    services = compose_file()["services"]
    problems = []
    for name in PROCESSES + ["postgres", "kafka", "kafka-init"]:
        if name not in services:
            problems.append(f"no service {name}")
    one_shot = {dependency for service in services.values()
                for dependency, condition in (service.get("depends_on") or {}).items()
                if isinstance(condition, dict) and condition.get("condition") == "service_completed_successfully"}
    for name, service in services.items():
        healthcheck = service.get("healthcheck") or {}
        if name in one_shot:
            if str(service.get("restart", "no")) != "no":
                problems.append(f"{name} is one-shot but restarts")
        elif not healthcheck.get("test") or healthcheck.get("disable") or healthcheck["test"][0] == "NONE":
            problems.append(f"{name} has no healthcheck")
        memory = service.get("mem_limit") or (((service.get("deploy") or {}).get("resources") or {})
                                              .get("limits") or {}).get("memory")
        if not memory:
            problems.append(f"{name} has no memory limit")
        depends_on = service.get("depends_on") or {}
        if isinstance(depends_on, list):
            problems.append(f"{name}: depends_on without conditions does not wait for health")
        else:
            for dependency, condition in depends_on.items():
                if (condition or {}).get("condition") not in ("service_healthy", "service_completed_successfully"):
                    problems.append(f"{name} -> {dependency} does not wait for health or completion")
        image = str(service.get("image", ""))
        if "build" in service:
            build = service["build"]
            if build.get("dockerfile") != "infra/docker/Dockerfile":
                problems.append(f"{name} is not built from infra/docker/Dockerfile")
            stage_named(dockerfile_stages(ROOT / "infra/docker/Dockerfile"), build.get("target"))
        elif not re.search(r":v?\d+(\.\d+)+", image) or image.endswith(":latest"):
            problems.append(f"{name}: image {image!r} is not pinned to a version")
    for name in PROCESSES:
        test = (services.get(name, {}).get("healthcheck") or {}).get("test") or []
        wanted = "storefront-http-probe" if name == "gateway" else "storefront-grpc-health"
        if wanted not in test:
            problems.append(f"{name}'s healthcheck does not use {wanted}")
    if problems:
        raise Fail("; ".join(problems))


def grpc_upstreams(process):
    """The services a process calls: the FOO_ADDR its sources read with GrpcTarget."""
    folder = ROOT / ("gateway/src" if process == "gateway" else f"services/{process}/src")
    names = set()
    for source in folder.rglob("*.cpp"):
        if not source.name.endswith("_test.cpp"):
            names |= set(re.findall(r'GrpcTarget\("([A-Z]+)_ADDR"', source.read_text()))
    return {name.lower() for name in names}


def check_compose_callers_start_after_callees():
    """A caller that starts before its upstream's name exists on the compose network cannot
    reach it for up to 30 s (gRPC's dns resolver waits that long before asking again), so its
    first calls time out: each caller must wait, directly or through another service, for every
    service it calls to be healthy."""
    services = compose_file()["services"]

    def healthy_before(name, seen=None):
        seen = set() if seen is None else seen
        for dependency, condition in (services[name].get("depends_on") or {}).items():
            if (condition or {}).get("condition") == "service_healthy" and dependency not in seen:
                seen.add(dependency)
                healthy_before(dependency, seen)
        return seen

    if not grpc_upstreams("checkout") >= {"cart", "catalog", "payments", "inventory", "shipping"}:
        raise Fail(f"found only {sorted(grpc_upstreams('checkout'))} as checkout's upstreams: "
                   "has the GrpcTarget(\"FOO_ADDR\") pattern changed?")
    problems = []
    for process in PROCESSES:
        missing = grpc_upstreams(process) - healthy_before(process)
        if missing:
            problems.append(f"{process} calls {sorted(missing)} but may start before they are healthy")
    if problems:
        raise Fail("; ".join(problems) + " (add depends_on: <service>: condition: service_healthy)")


def check_compose_secrets():
    services = compose_file()["services"]
    problems = []
    for name, service in services.items():
        for key, value in environment_items(service):
            value = "" if value is None else str(value)
            # A *_FILE setting (TLS_KEY_FILE) is where a secret lies, mounted from a volume.
            if SECRET_NAME.search(key) and not key.endswith("_FILE") and not REQUIRED_VAR.match(value):
                problems.append(f"{name}: {key} is not a required variable (${{{key}:?...}})")
            for password in URL_PASSWORD.findall(value):
                if not REQUIRED_VAR.match(password):
                    problems.append(f"{name}: {key} has a literal password in its URL")
    text = "\n".join(re.sub(r"(^|\s)#.*", "", line)
                     for line in (ROOT / "docker-compose.yml").read_text().splitlines())
    if re.search(r"\$\{[A-Za-z0-9_]+:?-", text):
        problems.append("docker-compose.yml has inline defaults (${VAR:-...}); put them in .env")
    defaults = {}
    for line in (ROOT / ".env").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            defaults[key.strip()] = value.strip()
            if SECRET_NAME.search(key) and value.strip():
                problems.append(f".env holds a secret: {key}")
    required = set(re.findall(r"\$\{([A-Za-z0-9_]+):\?", text))
    plain = set(re.findall(r"\$\{([A-Za-z0-9_]+)\}", text))
    if plain - defaults.keys():
        problems.append(f"no default in .env for {sorted(plain - defaults.keys())}")
    generated = set(secrets_from_make_secrets())
    if required != generated:
        problems.append(f"required variables {sorted(required)} differ from what make-secrets writes "
                        f"{sorted(generated)}")
    if problems:
        raise Fail("; ".join(problems))


# --- load balancing -----------------------------------------------------------------------------

# The processes that call gRPC services, and the services each calls.
CALLERS = {"cart": ["catalog"], "checkout": ["catalog", "cart", "payments", "inventory", "shipping"],
           "gateway": SERVICES}
ADDRESS_KEY = re.compile(r"([A-Z]+)_ADDR")  # CATALOG_ADDR; not GRPC_LISTEN_ADDR or HTTP_LISTEN_ADDR


def address_problems(where, settings, needed):
    """The *_ADDR settings of one process ({name: value}) that do not reach every replica. Each
    must be dns:///<service>:<port>: gRPC's dns resolver hands the channel every address of the name
    (a headless Service's ready pods, a scaled compose service's containers) and round_robin uses
    them all. One IP, a list, or a setting left out (the code's default is one loopback address)
    pins the caller to what it names."""
    problems = []
    for key, value in settings.items():
        match = ADDRESS_KEY.fullmatch(key)
        if not match or match.group(1).lower() not in SERVICE_PORTS:
            continue
        service = match.group(1).lower()
        wanted = f"dns:///{service}:{SERVICE_PORTS[service]}"
        if str(value) != wanted:
            problems.append(f"{where}: {key}={value!r} is not {wanted}, the name of every replica")
    for service in needed:
        if f"{service.upper()}_ADDR" not in settings:
            problems.append(f"{where}: no {service.upper()}_ADDR (the default is one loopback address)")
    return problems


def check_compose_balancing():
    services = compose_file()["services"]
    problems = []
    for name, service in services.items():
        problems += address_problems(name, dict(environment_items(service)), CALLERS.get(name, []))
    if problems:
        raise Fail("; ".join(problems))


def headless_problems(objects):
    """The gRPC services whose Kubernetes Service is missing, has a virtual IP (kube-proxy then
    balances connections, and a gRPC client keeps one connection to one pod), or lacks its port."""
    services = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Service"}
    problems = []
    for name, port in SERVICE_PORTS.items():
        service = services.get(name)
        if service is None:
            problems.append(f"no Service {name}")
            continue
        if service["spec"].get("clusterIP") != "None":
            problems.append(f"Service {name} is not headless (clusterIP: None): its clients would "
                            "reach one pod per connection")
        if port not in [p.get("port") for p in service["spec"].get("ports", [])]:
            problems.append(f"Service {name} does not serve port {port}")
    return problems


def check_overlay_balancing(overlay):
    objects = render(overlay)
    problems = headless_problems(objects)
    configs = {o["metadata"]["name"]: o.get("data", {}) for o in objects if o["kind"] == "ConfigMap"}
    for deployment in (o for o in objects if o["kind"] == "Deployment"):
        name = deployment["metadata"]["name"]
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        settings = {}
        for source in container.get("envFrom", []):
            settings.update(configs.get((source.get("configMapRef") or {}).get("name"), {}))
        settings.update({v["name"]: v.get("value") for v in container.get("env", [])})
        problems += address_problems(f"Deployment {name}", settings, CALLERS.get(name, []))
    if problems:
        raise Fail("; ".join(problems))


# --- metrics and traces -------------------------------------------------------------------------

METRICS_PORT = 9464
METRICS_ADDR = f"0.0.0.0:{METRICS_PORT}"
SPANS_URL = "http://zipkin:9411/api/v2/spans"  # the zipkin service (compose) or Service (dev)
PROMETHEUS_URL = "http://prometheus:9090"


def published_port(service, container_port):
    """The host port a compose service publishes CONTAINER_PORT on, or None."""
    for mapping in service.get("ports") or []:
        parts = str(mapping).split(":")
        if len(parts) >= 2 and parts[-1] == str(container_port):
            return parts[-2]
    return None


def check_compose_telemetry():
    services = compose_file()["services"]
    problems = []
    for name in ("prometheus", "zipkin"):
        if name not in services:
            problems.append(f"no service {name}")
    if problems:
        raise Fail("; ".join(problems))
    mounts = {str(v).split(":")[0]: str(v).split(":")[1] for v in services["prometheus"].get("volumes") or []}
    if mounts.get("./infra/prometheus/prometheus-compose.yml") != "/etc/prometheus/prometheus.yml":
        problems.append("prometheus does not mount infra/prometheus/prometheus-compose.yml as its configuration")
    if mounts.get("./infra/prometheus/rules") != "/etc/prometheus/rules":
        problems.append("prometheus does not mount infra/prometheus/rules where its configuration loads rules")
    for name, port in (("prometheus", 9090), ("zipkin", 9411)):
        if published_port(services[name], port) is None:
            problems.append(f"{name} does not publish port {port}")
    for process in PROCESSES:
        settings = dict(environment_items(services.get(process, {})))
        if settings.get("METRICS_ADDR") != METRICS_ADDR:
            problems.append(f"{process}: METRICS_ADDR={settings.get('METRICS_ADDR')!r}, want {METRICS_ADDR}")
        if settings.get("TRACE_EXPORT_URL") != SPANS_URL:
            problems.append(f"{process}: TRACE_EXPORT_URL={settings.get('TRACE_EXPORT_URL')!r}, want {SPANS_URL}")
    gateway = dict(environment_items(services.get("gateway", {})))
    if gateway.get("PROMETHEUS_URL") != PROMETHEUS_URL:
        problems.append(f"gateway: PROMETHEUS_URL={gateway.get('PROMETHEUS_URL')!r}, want {PROMETHEUS_URL}")
    # A link the console opens in the operator's browser: the port zipkin publishes on the host.
    ui = f"http://localhost:{published_port(services['zipkin'], 9411)}/zipkin/traces/"
    if gateway.get("TRACE_UI_URL") != ui:
        problems.append(f"gateway: TRACE_UI_URL={gateway.get('TRACE_UI_URL')!r}, want {ui}")
    if problems:
        raise Fail("; ".join(problems))


def container_settings(container, configs):
    """A container's environment: its envFrom ConfigMaps, then its env (which wins)."""
    settings = {}
    for source in container.get("envFrom", []):
        settings.update(configs.get((source.get("configMapRef") or {}).get("name"), {}))
    settings.update({v["name"]: v.get("value") for v in container.get("env", [])})
    return settings


def check_overlay_metrics(overlay):
    """Every process serves /metrics where its pod's scrape annotations say: METRICS_ADDR's port,
    the `metrics` containerPort and prometheus.io/port are one number."""
    objects = render(overlay)
    configs = {o["metadata"]["name"]: o.get("data", {}) for o in objects if o["kind"] == "ConfigMap"}
    deployments = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Deployment"}
    problems = []
    for process in PROCESSES:
        if process not in deployments:
            continue  # check_overlay reports it
        template = deployments[process]["spec"]["template"]
        annotations = template["metadata"].get("annotations") or {}
        wanted = {"prometheus.io/scrape": "true", "prometheus.io/port": str(METRICS_PORT),
                  "prometheus.io/path": "/metrics"}
        for key, value in wanted.items():
            if annotations.get(key) != value:
                problems.append(f"{process}: pod annotation {key}={annotations.get(key)!r}, want {value!r}")
        container = template["spec"]["containers"][0]
        ports = {p.get("name"): p.get("containerPort") for p in container.get("ports", [])}
        if ports.get("metrics") != METRICS_PORT:
            problems.append(f"{process}: no containerPort `metrics` {METRICS_PORT}")
        address = container_settings(container, configs).get("METRICS_ADDR")
        if address != METRICS_ADDR:
            problems.append(f"{process}: METRICS_ADDR={address!r}, want {METRICS_ADDR}")
    if problems:
        raise Fail("; ".join(problems))


def check_dev_overlay_telemetry():
    """The dev overlay runs Prometheus (with the repository's rules, allowed to list pods) and
    Zipkin, and every process's settings name their Services."""
    by_kind, configs = rendered_by_kind("dev")
    problems = []
    services = by_kind.get("Service", {})
    for name, port in (("prometheus", 9090), ("zipkin", 9411)):
        if name not in by_kind.get("Deployment", {}):
            problems.append(f"no Deployment {name}")
        if port not in [p.get("port") for p in services.get(name, {}).get("spec", {}).get("ports", [])]:
            problems.append(f"no Service {name} on port {port}")
    deployments = by_kind.get("Deployment", {})
    for process in PROCESSES:
        if process not in deployments:
            continue
        settings = container_settings(deployments[process]["spec"]["template"]["spec"]["containers"][0], configs)
        if settings.get("TRACE_EXPORT_URL") != SPANS_URL:
            problems.append(f"{process}: TRACE_EXPORT_URL={settings.get('TRACE_EXPORT_URL')!r}, want {SPANS_URL}")
        if process == "gateway":
            if settings.get("PROMETHEUS_URL") != PROMETHEUS_URL:
                problems.append(f"gateway: PROMETHEUS_URL={settings.get('PROMETHEUS_URL')!r}, want {PROMETHEUS_URL}")
            if not str(settings.get("TRACE_UI_URL", "")).endswith("/zipkin/traces/"):
                problems.append(f"gateway: TRACE_UI_URL={settings.get('TRACE_UI_URL')!r} is not Zipkin's trace page")
    prometheus = deployments.get("prometheus")
    if prometheus:
        pod = prometheus["spec"]["template"]["spec"]
        mounted = {v.get("configMap", {}).get("name") for v in pod.get("volumes", [])}
        rules = [name for name in mounted if name and name.startswith("storefront-prometheus-rules")]
        expected = (ROOT / "infra/prometheus/rules/storefront.rules.yml").read_text()
        if not rules or configs.get(rules[0], {}).get("storefront.rules.yml") != expected:
            problems.append("Prometheus does not mount infra/prometheus/rules/storefront.rules.yml as it is")
        account = pod.get("serviceAccountName")
        bound = [b for b in by_kind.get("RoleBinding", {}).values()
                 if any(s.get("kind") == "ServiceAccount" and s.get("name") == account for s in b.get("subjects", []))]
        roles = [by_kind.get("Role", {}).get(b["roleRef"]["name"]) for b in bound]
        if not any(r and any("pods" in rule.get("resources", []) and "list" in rule.get("verbs", [])
                             for rule in r.get("rules", [])) for r in roles):
            problems.append(f"Prometheus's service account {account!r} may not list pods (kubernetes_sd_configs)")
    if problems:
        raise Fail("; ".join(problems))


# --- Kubernetes ---------------------------------------------------------------------------------

RENDERED = {}


def render(overlay):
    if overlay not in RENDERED:
        kubectl = shutil.which("kubectl")
        if not kubectl:
            raise Skip("kubectl not found (Kubernetes' apt repository; Debian 12's 1.20 is too old)")
        result = run([kubectl, "kustomize", str(ROOT / "infra/k8s/overlays" / overlay)])
        if result.returncode != 0:
            RENDERED[overlay] = Fail(f"kubectl kustomize {overlay}: {result.stderr.strip()}")
        else:
            RENDERED[overlay] = [o for o in yaml.safe_load_all(result.stdout) if o]
    if isinstance(RENDERED[overlay], Fail):
        raise RENDERED[overlay]
    return RENDERED[overlay]


def rendered_by_kind(overlay):
    """The overlay's objects by kind, then name, and its ConfigMaps' data by name."""
    by_kind = {}
    for o in render(overlay):
        by_kind.setdefault(o["kind"], {})[o["metadata"]["name"]] = o
    configs = {name: o.get("data", {}) for name, o in by_kind.get("ConfigMap", {}).items()}
    return by_kind, configs


def memory_mebibytes(quantity):
    match = re.fullmatch(r"(\d+)(Mi|Gi|m|g)", str(quantity))
    if not match:
        raise Fail(f"unexpected memory quantity {quantity!r}")
    return int(match.group(1)) * (1024 if match.group(2) in ("Gi", "g") else 1)


def check_overlay(overlay):
    objects = render(overlay)
    problems = []
    by_kind = {}
    for o in objects:
        by_kind.setdefault(o["kind"], {})[o["metadata"]["name"]] = o
    if "Secret" in by_kind:
        problems.append(f"renders Secrets {sorted(by_kind['Secret'])}: secrets are created by the operator")
    generated = set(secrets_from_make_secrets())
    for kind in ("Deployment", "StatefulSet", "Job"):
        for name, workload in by_kind.get(kind, {}).items():
            pod = workload["spec"]["template"]["spec"]
            init = [c["name"] for c in pod.get("initContainers", [])]
            for container in pod.get("initContainers", []) + pod["containers"]:
                where = f"{kind} {name}/{container['name']}"
                # Kubernetes refuses probes on an init container: it runs to completion first.
                if kind != "Job" and container["name"] not in init:
                    for probe in ("readinessProbe", "livenessProbe"):
                        if probe not in container:
                            problems.append(f"{where} has no {probe}")
                resources = container.get("resources", {})
                for section in ("requests", "limits"):
                    for resource in ("cpu", "memory"):
                        if resource not in resources.get(section, {}):
                            problems.append(f"{where} has no {resource} {section[:-1]}")
                image = container["image"]
                if "@" not in image and (":" not in image.rsplit("/", 1)[-1] or image.endswith(":latest")):
                    problems.append(f"{where}: image {image} has no pinned tag")
                for variable in container.get("env", []):
                    reference = (variable.get("valueFrom") or {}).get("secretKeyRef")
                    if reference and reference["name"] == "storefront-secrets" and reference["key"] not in generated:
                        problems.append(f"{where}: key {reference['key']} is not one make-secrets writes")
    deployments = by_kind.get("Deployment", {})
    for process in PROCESSES:
        deployment = deployments.get(process)
        if not deployment:
            problems.append(f"no Deployment {process}")
            continue
        if process not in by_kind.get("Service", {}):
            problems.append(f"no Service {process}")
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        if process == "gateway":
            paths = (container.get("readinessProbe", {}).get("httpGet", {}).get("path"),
                     container.get("livenessProbe", {}).get("httpGet", {}).get("path"))
            if paths != ("/readyz", "/livez"):
                problems.append(f"gateway probes {paths}, want /readyz and /livez")
        else:
            # The kubelet's own gRPC probe has no TLS; the probe runs in the pod with its identity.
            wanted = ["storefront-grpc-health", f"127.0.0.1:{SERVICE_PORTS[process]}"]
            for probe in ("readinessProbe", "livenessProbe"):
                if container.get(probe, {}).get("exec", {}).get("command") != wanted:
                    problems.append(f"{process} {probe} is not {' '.join(wanted)}")
        compose_limit = compose_file()["services"].get(process, {}).get("mem_limit")
        k8s_limit = container.get("resources", {}).get("limits", {}).get("memory")
        if not compose_limit or not k8s_limit:
            continue  # reported above or by the compose checks
        if memory_mebibytes(compose_limit) != memory_mebibytes(k8s_limit):
            problems.append(f"{process}: memory limit {k8s_limit} here, {compose_limit} in docker-compose.yml")
    if problems:
        raise Fail("; ".join(problems))


def check_production_overlay():
    objects = render("production")
    kinds = {(o["apiVersion"].split("/")[0], o["kind"]) for o in objects}
    problems = []
    for wanted in (("postgresql.cnpg.io", "Cluster"), ("kafka.strimzi.io", "Kafka"),
                   ("kafka.strimzi.io", "KafkaNodePool")):
        if wanted not in kinds:
            problems.append(f"no {wanted[1]} ({wanted[0]})")
    for kind in ("HorizontalPodAutoscaler", "PodDisruptionBudget"):
        targets = {(o["spec"].get("scaleTargetRef") or {}).get("name") or
                   o["spec"]["selector"]["matchLabels"].get("app.kubernetes.io/name")
                   for o in objects if o["kind"] == kind}
        if set(PROCESSES) - targets:
            problems.append(f"no {kind} for {sorted(set(PROCESSES) - targets)}")
    for o in objects:
        if o["kind"] == "HorizontalPodAutoscaler" and o["spec"]["minReplicas"] < 2:
            problems.append(f"HPA {o['metadata']['name']} allows a single replica")
    topics = {o["spec"]["topicName"] for o in objects if o["kind"] == "KafkaTopic"}
    listed = set(list_file(ROOT / "infra/kafka/topics.txt"))
    if topics != listed:
        problems.append(f"KafkaTopics {sorted(topics)} differ from infra/kafka/topics.txt {sorted(listed)}")
    config = next(o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("storefront-config"))
    if config["data"]["STOREFRONT_DB_HOST"] != "storefront-db-rw" or \
            not config["data"]["KAFKA_BOOTSTRAP_SERVERS"].startswith("storefront-kafka-bootstrap:"):
        problems.append("storefront-config does not point at CloudNativePG and Strimzi")
    if problems:
        raise Fail("; ".join(problems))


def check_dev_overlay():
    objects = render("dev")
    statefulsets = {o["metadata"]["name"]: o for o in objects if o["kind"] == "StatefulSet"}
    problems = []
    for name in ("postgres", "kafka"):
        if statefulsets.get(name, {}).get("spec", {}).get("replicas") != 1:
            problems.append(f"no single-replica StatefulSet {name}")
    if any(o["kind"] == "HorizontalPodAutoscaler" for o in objects):
        problems.append("dev keeps autoscalers")
    jobs = {o["metadata"]["name"] for o in objects if o["kind"] == "Job"}
    if {"storefront-db-init", "kafka-topics"} - jobs:
        problems.append(f"missing Jobs {sorted({'storefront-db-init', 'kafka-topics'} - jobs)}")
    if problems:
        raise Fail("; ".join(problems))


# --- scripts ------------------------------------------------------------------------------------

class ProbeTarget(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.send_response(200 if self.path == "/readyz" else 503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def check_http_probe():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ProbeTarget)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = str(server.server_address[1])
    probe = str(ROOT / "infra/docker/http-probe")
    try:
        outcomes = {
            "200": run([probe, port, "/readyz"], timeout=10).returncode,
            "503": run([probe, port, "/down"], timeout=10).returncode,
        }
    finally:
        server.shutdown()
        server.server_close()
    outcomes["closed port"] = run([probe, port, "/readyz"], timeout=10).returncode
    if outcomes != {"200": 0, "503": 1, "closed port": 1}:
        raise Fail(f"exit codes {outcomes}, want 0 for 200 and 1 otherwise")


# --- Mutual TLS and who may call whom ----------------------------------------------------------


def grpc_callers(service):
    """The processes a service allows to call it: the callers of the grants in its app.cpp
    (kCallers), and the gateway, which every server lets check health and run the fault lab."""
    source = (ROOT / f"services/{service}/src/app.cpp").read_text()
    grants = source[source.index("kCallers"):]
    grants = grants[:grants.index(";")]
    callers = set(re.findall(r'\{"([a-z]+)", k[A-Z][a-z]+,', grants))
    if not callers:
        raise Fail(f"no grants found in services/{service}/src/app.cpp (kCallers)")
    return callers | {"gateway"}


def check_compose_tls():
    """Every process mounts its own identity and no other's; tls-init makes them first."""
    services = compose_file()["services"]
    problems = []
    init = services.get("tls-init")
    if not init:
        raise Fail("no tls-init service")
    made = {str(entry).split("=", 1)[0]: str(entry).partition("=")[2] for entry in init.get("command") or []}
    if sorted(made) != sorted(PROCESSES + ["kafka"]):
        problems.append(f"tls-init makes {init.get('command')}, want every process and kafka")
    # The broker is dialled as kafka by the containers, as localhost by itself and the host's tools.
    kafka_names = set(made.get("kafka", "").split(","))
    if not {"DNS:localhost", "IP:127.0.0.1"} <= kafka_names:
        problems.append(f"the kafka certificate's extra names are {sorted(kafka_names)}, want localhost and 127.0.0.1")
    for process in PROCESSES:
        service = services.get(process, {})
        volumes = [v for v in service.get("volumes") or [] if str(v).startswith("tls-")]
        if volumes != [f"tls-{process}:/etc/storefront/tls:ro"]:
            problems.append(f"{process} mounts {volumes}, want only its own tls-{process}, read-only")
        if ((service.get("depends_on") or {}).get("tls-init") or {}).get("condition") != \
                "service_completed_successfully":
            problems.append(f"{process} may start before tls-init made its certificate")
        environment = service.get("environment") or {}
        for name in ("TLS_CA_FILE", "TLS_CERT_FILE", "TLS_KEY_FILE"):
            if not str(environment.get(name, "")).startswith("/etc/storefront/tls/"):
                problems.append(f"{process} has no {name} in /etc/storefront/tls")
        if "GRPC_PLAINTEXT" in environment:
            problems.append(f"{process} sets GRPC_PLAINTEXT")
    if problems:
        raise Fail("; ".join(problems))


def check_overlay_tls(overlay):
    """A Certificate naming each process, its Secret mounted by that process's pod alone, and a
    NetworkPolicy letting in only the callers the service's code allows."""
    objects = render(overlay)
    certificates = {o["spec"]["secretName"]: o for o in objects if o["kind"] == "Certificate"}
    deployments = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Deployment"}
    policies = {o["metadata"]["name"]: o for o in objects if o["kind"] == "NetworkPolicy"}
    problems = []
    for process in PROCESSES:
        secret = f"storefront-tls-{process}"
        certificate = certificates.get(secret)
        if not certificate or certificate["spec"].get("uris") != [f"spiffe://storefront/{process}"] or \
                certificate["spec"].get("dnsNames") != [process]:
            problems.append(f"no Certificate {secret} naming spiffe://storefront/{process} and {process}")
        pod = deployments[process]["spec"]["template"]["spec"]
        mounted = sorted(v["secret"]["secretName"] for v in pod.get("volumes", []) if "secret" in v)
        if mounted != [secret]:
            problems.append(f"{process} mounts the Secrets {mounted}, want only {secret}")
    deny = policies.get("storefront-default-deny")
    if not deny or deny["spec"].get("ingress") or deny["spec"].get("policyTypes") != ["Ingress"]:
        problems.append("no NetworkPolicy storefront-default-deny refusing all ingress")
    for service in SERVICES:
        policy = policies.get(service)
        if not policy:
            problems.append(f"no NetworkPolicy {service}")
            continue
        allowed = set()
        for rule in policy["spec"].get("ingress", []):
            ports = [p.get("port") for p in rule.get("ports", [])]
            if ports == ["metrics"]:
                continue  # Prometheus: checked by the overlay's metrics check
            if ports != ["grpc"]:
                problems.append(f"{service}: a rule opens {ports or 'every port'}, want only grpc (or metrics)")
            if not rule.get("from"):
                problems.append(f"{service}: a rule lets anyone in on {ports or 'every port'}")
            for source in rule.get("from", []):
                if set(source) != {"podSelector"}:
                    problems.append(f"{service}: gRPC open beyond the namespace's pods ({sorted(source)})")
                    continue
                allowed.add(source["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/name"))
        wanted = grpc_callers(service)
        if allowed != wanted:
            problems.append(f"{service} lets in {sorted(allowed)} on gRPC, its code allows {sorted(wanted)}")
    if problems:
        raise Fail("; ".join(problems))


# --- Kafka: mutual TLS and ACLs ----------------------------------------------------------------

def principal_of(rules, dn):
    """The user Kafka's ssl.principal.mapping.rules make of a certificate's subject (RFC 2253), as
    SslPrincipalMapper does: the first RULE whose pattern matches the whole DN, else DEFAULT (the DN)."""
    for match in re.finditer(r"\s*(DEFAULT|RULE:((?:\\.|[^\\/])*)/((?:\\.|[^\\/])*)/([LU]?))\s*(?:,\s*|$)", rules):
        if match.group(1) == "DEFAULT":
            return dn
        pattern, replacement, case = match.group(2), match.group(3), match.group(4)
        if re.fullmatch(pattern, dn):
            user = re.sub(pattern, re.sub(r"\$(\d)", r"\\g<\1>", replacement), dn)
            return {"L": user.lower(), "U": user.upper()}.get(case, user)
    return dn


def reference_mapping_rules():
    """kafka-single-node's ssl.principal.mapping.rules, the reference configuration."""
    text = (ROOT / "infra/kafka/bin/kafka-single-node").read_text()
    return re.search(r"^ssl\.principal\.mapping\.rules=(\S+)$", text, re.M).group(1).replace("\\$", "$")


def broker_problems(where, settings, subjects):
    """What is wrong with a broker configured by the image's KAFKA_* variables (SETTINGS): every
    listener must speak TLS and require a client certificate, nothing be allowed that no ACL
    allows, User:kafka be the one super user, and each of SUBJECTS ({DN: user}) be that user."""
    problems = []
    protocols = dict(item.split(":", 1) for item in settings.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "").split(",") if item)
    listeners = [item.split("://", 1)[0] for item in settings.get("KAFKA_LISTENERS", "").split(",") if item]
    if not listeners:
        problems.append(f"{where}: no KAFKA_LISTENERS")
    for listener in listeners:
        if protocols.get(listener, listener) != "SSL":
            problems.append(f"{where}: listener {listener} speaks {protocols.get(listener, listener)}, not SSL")
    # The upstream image's configure wants a JKS keystore and password files when an advertised
    # listener is named SSL; the listeners here are SSL through the protocol map only.
    if "SSL://" in settings.get("KAFKA_ADVERTISED_LISTENERS", ""):
        problems.append(f"{where}: an advertised listener named SSL (the apache/kafka image then wants a JKS keystore)")
    wanted = {
        "KAFKA_SSL_CLIENT_AUTH": "required",
        "KAFKA_SSL_KEYSTORE_TYPE": "PEM",
        "KAFKA_SSL_TRUSTSTORE_TYPE": "PEM",
        "KAFKA_AUTHORIZER_CLASS_NAME": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND": "false",
        "KAFKA_SUPER_USERS": "User:kafka",
    }
    for key, value in wanted.items():
        if str(settings.get(key)) != value:
            problems.append(f"{where}: {key}={settings.get(key)!r}, want {value!r}")
    rules = str(settings.get("KAFKA_SSL_PRINCIPAL_MAPPING_RULES", ""))
    for dn, user in subjects.items():
        if principal_of(rules, dn) != user:
            problems.append(f"{where}: a certificate {dn} is User:{principal_of(rules, dn)}, want User:{user}")
    return problems


def listener_port(settings, name):
    for item in settings.get("KAFKA_LISTENERS", "").split(","):
        if item.startswith(f"{name}://"):
            return item.rsplit(":", 1)[1]
    return None


def check_compose_kafka_tls_and_acls():
    """Compose's broker is configured as kafka-single-node with KAFKA_TLS_DIR; its topics and ACLs
    are made as User:kafka before any process starts, and every process reaches it over TLS."""
    services = compose_file()["services"]
    kafka = services.get("kafka") or {}
    settings = {k: str(v).replace("$$", "$") for k, v in environment_items(kafka)}
    make_certs = {"CN=payments,O=Storefront": "payments", "CN=kafka,O=Storefront": "kafka",
                  "CN=payments,O=Elsewhere": "CN=payments,O=Elsewhere"}
    problems = broker_problems("kafka", settings, make_certs)
    if settings.get("KAFKA_SSL_PRINCIPAL_MAPPING_RULES") != reference_mapping_rules():
        problems.append("kafka: ssl.principal.mapping.rules differ from infra/kafka/bin/kafka-single-node's")
    if "tls-kafka:/etc/kafka/tls:ro" not in (kafka.get("volumes") or []):
        problems.append("kafka does not mount its identity (tls-kafka) read-only at /etc/kafka/tls")
    for key in ("KAFKA_SSL_KEYSTORE_LOCATION", "KAFKA_SSL_TRUSTSTORE_LOCATION"):
        if not settings.get(key, "").startswith("/etc/kafka/tls/"):
            problems.append(f"kafka: {key} is not in /etc/kafka/tls")
    port = listener_port(settings, "BROKER")
    if " ".join(kafka.get("healthcheck", {}).get("test") or []).find("--command-config /etc/kafka/tls/") < 0:
        problems.append("kafka's healthcheck does not connect as User:kafka (--command-config)")
    init = services.get("kafka-init") or {}
    if not str(dict(environment_items(init)).get("KAFKA_COMMAND_CONFIG", "")).startswith("/etc/kafka/tls/") or \
            "tls-kafka:/etc/kafka/tls:ro" not in (init.get("volumes") or []):
        problems.append("kafka-init does not create the topics as User:kafka (KAFKA_COMMAND_CONFIG, tls-kafka)")
    acls = services.get("kafka-acls") or {}
    acls_env = dict(environment_items(acls))
    if "storefront-kafka-acls" not in " ".join(acls.get("entrypoint") or []) or acls.get("command"):
        problems.append("kafka-acls does not run storefront-kafka-acls (reconcile, no --print)")
    if "tls-kafka:/etc/kafka/tls:ro" not in (acls.get("volumes") or []) or \
            any(not str(acls_env.get(k, "")).startswith("/etc/kafka/tls/") for k in ("TLS_CA_FILE", "TLS_CERT_FILE", "TLS_KEY_FILE")):
        problems.append("kafka-acls does not run as User:kafka (tls-kafka, TLS_*_FILE)")
    if ((acls.get("depends_on") or {}).get("kafka-init") or {}).get("condition") != "service_completed_successfully":
        problems.append("kafka-acls may run before kafka-init (the broker must be up and its topics made)")
    if acls_env.get("KAFKA_BOOTSTRAP_SERVERS") != f"kafka:{port}":
        problems.append(f"kafka-acls: KAFKA_BOOTSTRAP_SERVERS={acls_env.get('KAFKA_BOOTSTRAP_SERVERS')!r}, want kafka:{port}")
    for process in PROCESSES:
        service = services.get(process) or {}
        if ((service.get("depends_on") or {}).get("kafka-acls") or {}).get("condition") != \
                "service_completed_successfully":
            problems.append(f"{process} may start before kafka-acls granted it its topics")
        environment = dict(environment_items(service))
        if environment.get("KAFKA_BOOTSTRAP_SERVERS") != f"kafka:{port}":
            problems.append(f"{process}: KAFKA_BOOTSTRAP_SERVERS={environment.get('KAFKA_BOOTSTRAP_SERVERS')!r}, "
                            f"want the TLS listener kafka:{port}")
        if str(environment.get("KAFKA_SECURITY_PROTOCOL", "ssl")) != "ssl":
            problems.append(f"{process}: KAFKA_SECURITY_PROTOCOL={environment['KAFKA_SECURITY_PROTOCOL']}")
    if problems:
        raise Fail("; ".join(problems))


def check_dev_kafka_tls_and_acls():
    """The dev overlay's Kafka pod as compose's broker; the topics and ACLs Jobs as User:kafka."""
    by_kind, configs = rendered_by_kind("dev")
    problems = []
    kafka = by_kind.get("StatefulSet", {}).get("kafka")
    if not kafka:
        raise Fail("no StatefulSet kafka")
    container = next(c for c in kafka["spec"]["template"]["spec"]["containers"] if c["name"] == "kafka")
    settings = {v["name"]: str(v.get("value")) for v in container.get("env", [])}
    # cert-manager's certificates (CN only) and make-certs' (README, without cert-manager).
    subjects = {"CN=payments": "payments", "CN=payments,O=Storefront": "payments", "CN=kafka": "kafka",
                "CN=payments,O=Elsewhere": "CN=payments,O=Elsewhere"}
    problems += broker_problems("dev kafka", settings, subjects)
    certificates = {o["spec"]["secretName"]: o for o in by_kind.get("Certificate", {}).values()}
    identity = certificates.get("storefront-tls-kafka", {}).get("spec", {})
    if identity.get("commonName") != "kafka" or not {"kafka", "localhost"} <= set(identity.get("dnsNames") or []) or \
            (identity.get("privateKey") or {}).get("encoding") != "PKCS8":
        problems.append("no Certificate storefront-tls-kafka: CN kafka, naming kafka and localhost, PKCS#8 key")
    port = listener_port(settings, "BROKER")
    config = next((data for name, data in configs.items() if name.startswith("storefront-config")), {})
    if config.get("KAFKA_BOOTSTRAP_SERVERS") != f"kafka:{port}":
        problems.append(f"storefront-config: KAFKA_BOOTSTRAP_SERVERS={config.get('KAFKA_BOOTSTRAP_SERVERS')!r}, want kafka:{port}")
    if config.get("KAFKA_SECURITY_PROTOCOL", "ssl") != "ssl":
        problems.append(f"storefront-config: KAFKA_SECURITY_PROTOCOL={config['KAFKA_SECURITY_PROTOCOL']}")
    jobs = by_kind.get("Job", {})
    for name, wanted in (("kafka-topics", "create-topics.sh"), ("kafka-acls", "storefront-kafka-acls")):
        job = jobs.get(name)
        if not job:
            problems.append(f"no Job {name}")
            continue
        pod = job["spec"]["template"]["spec"]
        job_container = pod["containers"][0]
        secrets = [v["secret"]["secretName"] for v in pod.get("volumes", []) if "secret" in v]
        if secrets != ["storefront-tls-kafka"]:
            problems.append(f"Job {name} mounts the Secrets {secrets}, want only storefront-tls-kafka (User:kafka)")
        if wanted not in " ".join(job_container.get("command", []) + job_container.get("args", [])):
            problems.append(f"Job {name} does not run {wanted}")
    topics_env = {v["name"]: v.get("value") for v in (jobs.get("kafka-topics") or {"spec": {"template": {"spec": {
        "containers": [{}]}}}})["spec"]["template"]["spec"]["containers"][0].get("env", [])}
    if not topics_env.get("KAFKA_COMMAND_CONFIG"):
        problems.append("Job kafka-topics does not connect as User:kafka (KAFKA_COMMAND_CONFIG)")
    if problems:
        raise Fail("; ".join(problems))


def kafka_acls_binary(build_dir):
    candidates = [Path(build_dir) / "bin"] if build_dir else []
    candidates.append(ROOT / "build/release/bin")
    for directory in candidates:
        if os.access(directory / "storefront-kafka-acls", os.X_OK):
            return directory / "storefront-kafka-acls"
    return None


def granted_acls(build_dir):
    """{(user, resource type, name, pattern, operation)} of `storefront-kafka-acls --print`, in
    Strimzi's words: the grants of shared/events/kafka_acls.h, as AclsOf makes them ACLs."""
    binary = kafka_acls_binary(build_dir)
    if binary is None:
        raise Skip("storefront-kafka-acls is not built (cmake --build --preset release)")
    result = run([str(binary), "--print"], timeout=30)
    if result.returncode != 0:
        raise Fail(f"{binary} --print exited {result.returncode}: {result.stderr.strip()}")
    acls = set()
    for grant in json.loads(result.stdout):
        acls |= {(grant["user"], "topic", topic, "literal", "Write") for topic in grant["writes"]}
        acls |= {(grant["user"], "topic", topic, "literal", "Read") for topic in grant["reads"]}
        acls.add((grant["user"], "group", grant["group_prefix"], "prefix", "Read"))
    return acls


def check_production_kafka_tls_and_acls(build_dir):
    """Strimzi: the only listener TLS with tls authentication, simple authorization with no
    everyone-allowed, the store's CA as clients CA; a KafkaUser per process (tls-external, CN = its
    cert-manager certificate's) whose ACLs are exactly `storefront-kafka-acls --print`."""
    wanted = granted_acls(build_dir)
    objects = render("production")
    problems = []
    clusters = [o for o in objects if o["kind"] == "Kafka"]
    if len(clusters) != 1:
        raise Fail(f"{len(clusters)} Kafka resources, want one")
    cluster = clusters[0]
    spec = cluster["spec"]["kafka"]
    listeners = spec.get("listeners") or []
    for listener in listeners:
        if listener.get("tls") is not True or (listener.get("authentication") or {}).get("type") != "tls":
            problems.append(f"Kafka listener {listener.get('name')} is not TLS with tls (certificate) authentication")
    authorization = spec.get("authorization") or {}
    if authorization.get("type") != "simple":
        problems.append(f"Kafka authorization is {authorization or 'off'}, want simple (ACLs)")
    if str((spec.get("config") or {}).get("allow.everyone.if.no.acl.found", "false")).lower() != "false":
        problems.append("Kafka config allows everyone when no ACL is found")
    if set(authorization.get("superUsers") or []) - {"CN=kafka"}:
        problems.append(f"super users {authorization.get('superUsers')}, want at most CN=kafka")
    if (cluster["spec"].get("clientsCa") or {}).get("generateCertificateAuthority") is not False:
        problems.append("Strimzi generates its own clients CA: the services' cert-manager certificates would be refused")
    if "userOperator" not in (cluster["spec"].get("entityOperator") or {}):
        problems.append("no User Operator (entityOperator.userOperator): the KafkaUsers' ACLs would never be set")
    certificates = {o["spec"]["secretName"]: o["spec"] for o in objects if o["kind"] == "Certificate"}
    configs = {o["metadata"]["name"]: o.get("data", {}) for o in objects if o["kind"] == "ConfigMap"}
    config = next((data for name, data in configs.items() if name.startswith("storefront-config")), {})
    name = cluster["metadata"]["name"]
    ports = {str(listener.get("port")) for listener in listeners}
    bootstrap = config.get("KAFKA_BOOTSTRAP_SERVERS", "")
    if bootstrap.rpartition(":")[0] != f"{name}-kafka-bootstrap" or bootstrap.rpartition(":")[2] not in ports:
        problems.append(f"storefront-config: KAFKA_BOOTSTRAP_SERVERS={bootstrap!r} is not a listener of {name}")
    if config.get("KAFKA_SECURITY_PROTOCOL", "ssl") != "ssl":
        problems.append(f"storefront-config: KAFKA_SECURITY_PROTOCOL={config['KAFKA_SECURITY_PROTOCOL']}")
    for listener in listeners:
        chain = (listener.get("configuration") or {}).get("brokerCertChainAndKey") or {}
        certificate = certificates.get(chain.get("secretName"))
        # The services trust the store's CA alone, and check the name they dial.
        if not certificate or certificate["issuerRef"]["name"] != "storefront-ca" or \
                f"{name}-kafka-bootstrap" not in certificate.get("dnsNames", []) or \
                not any(n.startswith(f"*.{name}-kafka-brokers") for n in certificate.get("dnsNames", [])) or \
                (certificate.get("privateKey") or {}).get("encoding") != "PKCS8":
            problems.append(f"listener {listener.get('name')}: its certificate is not a PKCS#8 one of the store's CA "
                            f"naming {name}-kafka-bootstrap and the brokers")
    users = {o["metadata"]["name"]: o for o in objects if o["kind"] == "KafkaUser"}
    found = set()
    for user, resource in users.items():
        user_spec = resource["spec"]
        if resource["metadata"].get("labels", {}).get("strimzi.io/cluster") != name:
            problems.append(f"KafkaUser {user} is not labelled strimzi.io/cluster: {name}")
        if (user_spec.get("authentication") or {}).get("type") != "tls-external":
            problems.append(f"KafkaUser {user}: authentication {user_spec.get('authentication')}, want tls-external "
                            "(its cert-manager certificate)")
        if (user_spec.get("authorization") or {}).get("type") != "simple":
            problems.append(f"KafkaUser {user}: authorization is not simple")
        for acl in (user_spec.get("authorization") or {}).get("acls") or []:
            if acl.get("type", "allow") != "allow" or acl.get("host", "*") != "*":
                problems.append(f"KafkaUser {user}: an ACL that is not `allow` from any host: {acl}")
            operations = acl.get("operations") or ([acl["operation"]] if acl.get("operation") else [])
            source = acl["resource"]
            for operation in operations:
                found.add((user, source["type"], source.get("name"), source.get("patternType", "literal"), operation))
        # Strimzi's principal for it is User:CN=<name>: the process's certificate must be that.
        certificate = certificates.get(f"storefront-tls-{user}")
        if not certificate or certificate.get("commonName") != user or certificate.get("subject"):
            problems.append(f"KafkaUser {user}: no cert-manager certificate whose subject is CN={user} alone")
    users_wanted = {acl[0] for acl in wanted}
    if set(users) != users_wanted:
        problems.append(f"KafkaUsers {sorted(users)}, want one per grant {sorted(users_wanted)}")
    if found - wanted:
        problems.append(f"ACLs beyond the grants: {sorted(found - wanted)}")
    if wanted - found:
        problems.append(f"grants without their ACL: {sorted(wanted - found)}")
    if problems:
        raise Fail("; ".join(problems))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-dir", help="a CMake build directory whose bin/ holds the binaries")
    arguments = parser.parse_args()

    check("package lists: sections, no duplicates, lib.sh agrees", check_package_lists)
    check("packages.txt [build] is exactly what the CMake configuration needs", check_build_section_is_what_cmake_needs)
    check("the CMake-to-package table agrees with dpkg on this machine", check_cmake_table_against_dpkg)
    check("Dockerfile build stage installs exactly packages.txt [build]", check_dockerfile_build_stage)
    check("Dockerfile runtime stage installs exactly packages-runtime.txt; non-root", check_dockerfile_runtime_stages)
    check("packages-runtime.txt is exactly what the binaries link", check_runtime_packages_match_binaries,
          arguments.build_dir)
    check("docker-compose config accepts the file, and refuses it without secrets", check_compose_config)
    check("compose: healthchecks, memory limits, pinned images, depends_on waits", check_compose_services)
    check("compose: no hard-coded secret, defaults only in .env", check_compose_secrets)
    check("compose: every caller starts after the services it calls are healthy",
          check_compose_callers_start_after_callees)
    check("k8s: kustomize renders overlays/dev; probes, requests, limits", check_overlay, "dev")
    check("k8s: kustomize renders overlays/production; probes, requests, limits", check_overlay, "production")
    check("k8s dev: one PostgreSQL and one Kafka pod, topic and database Jobs", check_dev_overlay)
    check("k8s production: CloudNativePG, Strimzi, topics, autoscalers, budgets", check_production_overlay)
    check("compose: every caller's *_ADDR is dns:///<service>:<port>", check_compose_balancing)
    for overlay in ("dev", "production"):
        check(f"k8s {overlay}: gRPC Services headless, every *_ADDR dns:///<service>:<port>",
              check_overlay_balancing, overlay)
    check("compose: METRICS_ADDR and TRACE_EXPORT_URL everywhere; prometheus and zipkin services",
          check_compose_telemetry)
    for overlay in ("dev", "production"):
        check(f"k8s {overlay}: every process serves /metrics on its annotated port", check_overlay_metrics, overlay)
    check("k8s dev: Prometheus with the rules, Zipkin, and every process pointed at them",
          check_dev_overlay_telemetry)
    check("storefront-http-probe: 0 on 200, 1 otherwise", check_http_probe)
    check("compose: every process mounts its own TLS identity, made by tls-init", check_compose_tls)
    for overlay in ("dev", "production"):
        check(f"k8s {overlay}: a certificate per process, mounted by it alone; NetworkPolicies as the code's callers",
              check_overlay_tls, overlay)
    check("compose: Kafka mutual TLS and ACLs as kafka-single-node; topics and ACLs first, as User:kafka",
          check_compose_kafka_tls_and_acls)
    check("k8s dev: the Kafka pod as compose's; topics and ACLs Jobs as User:kafka", check_dev_kafka_tls_and_acls)
    check("k8s production: Strimzi TLS listener, simple authorization; KafkaUsers = storefront-kafka-acls --print",
          check_production_kafka_tls_and_acls, arguments.build_dir)

    return summary()


if __name__ == "__main__":
    sys.exit(main())

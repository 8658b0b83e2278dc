# Sourced by bin/devstack and bin/benchmark: both run the local stack from the devstack module's classpath.

# build_if_missing <script name> <true|false: rebuild>: builds the services and devstack when any is missing
build_if_missing() {
  local script="$1" rebuild="$2" missing=false service
  local services=(request-service spec-service provisioner-service pivot-service addon-service)
  for service in "${services[@]}"; do
    [[ -f "$service/target/quarkus-app/quarkus-run.jar" ]] || missing=true
  done
  if $rebuild || $missing || [[ ! -d devstack/target/lib ]] || [[ ! -d devstack/target/classes ]]; then
    echo "Building pivotplane (once; bin/$script --rebuild builds again) ..."
    ./mvnw -q -B -DskipTests -pl "devstack$(printf ',%s' "${services[@]}")" -am install
  fi
}

# run_local_stack_main <java options...> -- <main class> <arguments...>: replaces the shell with that JVM
run_local_stack_main() {
  local options=()
  while [[ "$1" != "--" ]]; do options+=("$1"); shift; done
  shift
  mkdir -p .devstack
  exec java ${options[@]+"${options[@]}"} \
    -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
    -Dlogging.configuration="file:$PWD/devstack/target/classes/devstack-logging.properties" \
    -Dslf4j.provider=org.slf4j.simple.SimpleServiceProvider \
    -Dot.epg.working-dir="$PWD/.devstack/postgres-binaries" \
    -cp "devstack/target/classes:devstack/target/lib/*" \
    "$@"
}

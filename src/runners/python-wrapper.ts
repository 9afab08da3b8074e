/**
 * The Python side of the python-script runner, run as `python3 -c <source>` so that it travels inside
 * any bundle (no file to locate at run time). It reads `{ entry_point, parameters, config, log_level,
 * pack, action, execution_id }` as JSON on stdin, provides st2's `st2common.runners.base_action.Action`
 * (and the legacy `st2actions.runners.pythonrunner.Action`) and the small st2common helpers packs import
 * (`util.isotime`, `util.date`, `util.shell.quote_unix`, `exceptions`, `constants.action`, `log`) as
 * in-memory modules; importing any other st2 module fails naming the module and the st2 feature it is
 * part of (`PROVIDED`, `ST2_FEATURES`). It loads the entry point,
 * instantiates its Action subclass, calls `run(**parameters)` and prints
 * `{"result": ..., "status": true|false|null[, "error": traceback]}` between st2's delimiter lines.
 */
export const PYTHON_WRAPPER_SOURCE = String.raw`
import datetime
import importlib.machinery
import importlib.util
import inspect
import json
import logging
import os
import shlex
import sys
import traceback
import types

DELIMITER = '%%%%%~=~=~=************=~=~=~%%%%\n'


class KeyValuePair(object):
    """A datastore item as list_values returns it (st2client's model: name, value, scope, secret...)."""

    def __init__(self, item):
        for key, value in item.items():
            setattr(self, key, value)

    def __repr__(self):
        return '<KeyValuePair name=%s>' % self.name


class ActionService(object):
    """st2's action service datastore calls, answered by the runner over a Unix socket (one JSON line each way)."""

    def __init__(self, pack=None, class_name=None):
        self._prefix = '%s.%s:' % (pack, class_name)
        self._file = None

    def _request(self, **request):
        path = os.environ.get('ACTIONRUNNER_DATASTORE_SOCKET')
        if not path:
            raise RuntimeError('the datastore is not available to this action (no ACTIONRUNNER_DATASTORE_SOCKET)')
        if self._file is None:
            import socket
            connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            connection.connect(path)
            self._file = connection.makefile('rwb', buffering=0)
        request['token'] = os.environ.get('ACTIONRUNNER_DATASTORE_TOKEN', '')
        self._file.write((json.dumps(request) + '\n').encode('utf-8'))
        line = self._file.readline()
        if not line:
            raise RuntimeError('the datastore channel closed')
        reply = json.loads(line.decode('utf-8'))
        if not reply.get('ok'):
            raise ValueError(reply.get('error'))
        return reply.get('value')

    def _name(self, name, local):
        return self._prefix + name if local else name

    def get_value(self, name, local=True, scope='system', decrypt=False):
        item = self._request(op='get', name=self._name(name, local), scope=scope, decrypt=bool(decrypt))
        return None if item is None else item['value']

    def set_value(self, name, value, ttl=None, local=True, scope='system', encrypt=False):
        self._request(op='set', name=self._name(name, local), value=value, ttl=ttl, scope=scope, encrypt=bool(encrypt))
        return True

    def delete_value(self, name, local=True, scope='system'):
        return bool(self._request(op='delete', name=self._name(name, local), scope=scope))

    def list_values(self, local=True, prefix=None, limit=None, offset=0):
        full = self._name(prefix or '', local)
        items = [KeyValuePair(item) for item in self._request(op='list', prefix=full, scope='system')]
        items = items[offset:]
        return items[:limit] if limit else items


class Action(object):
    """st2's base class of Python actions."""

    def __init__(self, config=None, action_service=None):
        self.config = config if config is not None else {}
        self.action_service = action_service if action_service is not None else ActionService()
        self.logger = logging.getLogger('actions.python.' + type(self).__name__)

    def run(self, **kwargs):
        raise NotImplementedError('run() is not implemented')


def _utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


def _add_utc_tz(dt):
    return dt.replace(tzinfo=datetime.timezone.utc)


def _convert_to_utc(dt):
    return _add_utc_tz(dt) if dt.tzinfo is None else dt.astimezone(datetime.timezone.utc)


def _parse_date(value, preserve_original_tz=False):
    text = str(value).strip().replace('Z', '+00:00')
    dt = datetime.datetime.fromisoformat(text.replace(' ', 'T', 1) if 'T' not in text else text)
    return dt if (preserve_original_tz and dt.tzinfo is not None) else _convert_to_utc(dt)


def _iso_format(dt, usec=True, offset=True):
    if isinstance(dt, str):
        dt = _parse_date(dt)
    text = dt.strftime('%Y-%m-%dT%H:%M:%S' + ('.%f' if usec else ''))
    if not offset:
        return text
    tz = dt.utcoffset() if dt.tzinfo is not None else None
    if tz is None or tz == datetime.timedelta(0):
        return text + 'Z'
    minutes = int(tz.total_seconds() // 60)
    sign = '+' if minutes >= 0 else '-'
    return text + '%s%02d:%02d' % (sign, abs(minutes) // 60, abs(minutes) % 60)


def _iso_validate(value, raise_exception=True):
    try:
        _parse_date(value)
        return True
    except Exception:
        if raise_exception:
            raise ValueError('Datetime %s is not in ISO 8601 format.' % (value,))
        return False


def _quote_unix(value):
    return shlex.quote(str(value))


class StackStormBaseException(Exception):
    """st2's base exception class."""


STATUSES = ('requested', 'scheduled', 'delayed', 'running', 'succeeded', 'failed', 'timeout',
            'abandoned', 'canceling', 'canceled', 'pending', 'pausing', 'paused', 'resuming')

# st2 modules this wrapper provides, with what they hold: the rest of st2's library is not here.
PROVIDED = {
    'st2common.runners.base_action': {'Action': Action},
    'st2actions.runners.pythonrunner': {'Action': Action},
    'st2common.util.date': {'get_datetime_utc_now': _utc_now, 'add_utc_tz': _add_utc_tz,
                            'convert_to_utc': _convert_to_utc, 'parse': _parse_date},
    'st2common.util.isotime': {'format': _iso_format, 'validate': _iso_validate, 'parse': _parse_date},
    'st2common.util.shell': {'quote_unix': _quote_unix},
    'st2common.exceptions': {'StackStormBaseException': StackStormBaseException},
    'st2common.constants.action': dict(
        [('LIVEACTION_STATUS_' + s.upper(), s) for s in STATUSES] +
        [('LIVEACTION_COMPLETED_STATES', ['succeeded', 'failed', 'timeout', 'canceled', 'abandoned'])]),
    'st2common.log': {'getLogger': logging.getLogger},
}

# What a pack that imports the rest of st2 is reaching for, by module prefix (longest first).
ST2_FEATURES = (
    ('st2common.services.datastore', "st2's datastore service (there is no st2 datastore here; use self.action_service)"),
    ('st2common.services', "st2's services (they talk to st2's database and message bus, which do not exist here)"),
    ('st2common.models', "st2's database models (there is no st2 database here)"),
    ('st2common.persistence', "st2's database access (there is no st2 database here)"),
    ('st2common.transport', "st2's message bus (there is none here)"),
    ('st2client', 'the st2 API client (there is no st2 API here)'),
    ('st2reactor', 'st2 sensors and rules (this bundle runs actions only)'),
    ('st2tests', "st2's test helpers (run pack tests with st2's own tooling)"),
    ('st2common', "st2's internal library, of which this runner provides only %s"),
    ('st2actions', "st2's internal library, of which this runner provides only %s"),
    ('st2api', "st2's API server (not part of this bundle)"),
    ('st2auth', "st2's auth service (not part of this bundle)"),
)


class St2ModuleFinder(object):
    """Answers an import of an st2 module this wrapper does not provide with what is missing and why."""

    def find_spec(self, fullname, path=None, target=None):
        # A package on the way to a module named below (st2common.services of .services.datastore): empty.
        if any(prefix.startswith(fullname + '.') for prefix, _ in ST2_FEATURES):
            return importlib.machinery.ModuleSpec(fullname, None, is_package=True)
        for prefix, feature in ST2_FEATURES:
            if fullname == prefix or fullname.startswith(prefix + '.'):
                if '%s' in feature:
                    feature = feature % ', '.join(sorted(PROVIDED))
                # No name=: "from st2common.util import x" would turn it into a vaguer "cannot import name".
                raise ModuleNotFoundError(
                    "No module named '%s': %s is not available to python-script actions here" % (fullname, feature))
        return None


def install_shim():
    for full, attrs in PROVIDED.items():
        parts = full.split('.')
        for i in range(1, len(parts) + 1):
            name = '.'.join(parts[:i])
            if name not in sys.modules:
                module = types.ModuleType(name)
                module.__path__ = []
                sys.modules[name] = module
                if i > 1:
                    setattr(sys.modules['.'.join(parts[:i - 1])], parts[i - 1], module)
        for key, value in attrs.items():
            setattr(sys.modules[full], key, value)
    sys.meta_path.insert(0, St2ModuleFinder())


def emit(block):
    try:
        text = json.dumps(block, default=str)
    except Exception:
        text = json.dumps({'result': str(block.get('result')), 'status': block.get('status')})
    sys.stdout.flush()
    sys.stdout.write(DELIMITER + text + '\n' + DELIMITER)
    sys.stdout.flush()


def load_action_class(path):
    directory = os.path.dirname(path)
    sys.path.insert(0, os.path.join(directory, 'lib'))
    sys.path.insert(0, directory)
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError('cannot load %s: not a Python module' % path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    candidates = [c for c in vars(module).values()
                  if inspect.isclass(c) and issubclass(c, Action) and c is not Action]
    own = [c for c in candidates if c.__module__ == module.__name__]
    classes = own or candidates
    if len(classes) != 1:
        raise ValueError('%s must define exactly one subclass of st2common.runners.base_action.Action, found %d'
                         % (path, len(classes)))
    return classes[0]


def main():
    payload = json.loads(sys.stdin.read() or '{}')
    level = str(payload.get('log_level') or 'DEBUG').upper()
    logging.basicConfig(stream=sys.stderr, level=getattr(logging, level, logging.DEBUG),
                        format='%(asctime)s %(levelname)s [-] %(message)s')
    install_shim()
    try:
        cls = load_action_class(payload['entry_point'])
        config = payload.get('config') or {}
        if 'action_service' in inspect.signature(cls.__init__).parameters:
            instance = cls(config=config, action_service=ActionService(payload.get('pack'), cls.__name__))
        else:
            instance = cls(config)
            instance.action_service = ActionService(payload.get('pack'), cls.__name__)
        output = instance.run(**(payload.get('parameters') or {}))
    except Exception:
        text = traceback.format_exc()
        sys.stderr.write(text)
        sys.stderr.flush()
        emit({'result': None, 'status': False, 'error': text})
        sys.exit(1)
    status = None
    result = output
    if isinstance(output, tuple) and len(output) == 2 and isinstance(output[0], bool):
        status, result = output
    emit({'result': result, 'status': status})


main()
`;

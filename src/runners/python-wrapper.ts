/**
 * The Python side of the python-script runner, run as `python3 -c <source>` so that it travels inside
 * any bundle (no file to locate at run time). It reads `{ entry_point, parameters, config, log_level,
 * pack, action, execution_id }` as JSON on stdin, provides st2's `st2common.runners.base_action.Action`
 * (and the legacy `st2actions.runners.pythonrunner.Action`) as in-memory modules, loads the entry point,
 * instantiates its Action subclass, calls `run(**parameters)` and prints
 * `{"result": ..., "status": true|false|null[, "error": traceback]}` between st2's delimiter lines.
 */
export const PYTHON_WRAPPER_SOURCE = String.raw`
import importlib.util
import inspect
import json
import logging
import os
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


def install_shim():
    for name in ('st2common', 'st2common.runners', 'st2common.runners.base_action',
                 'st2actions', 'st2actions.runners', 'st2actions.runners.pythonrunner'):
        module = types.ModuleType(name)
        module.__path__ = []
        sys.modules[name] = module
    for name in ('st2common.runners.base_action', 'st2actions.runners.pythonrunner'):
        sys.modules[name].Action = Action
    sys.modules['st2common'].runners = sys.modules['st2common.runners']
    sys.modules['st2common.runners'].base_action = sys.modules['st2common.runners.base_action']
    sys.modules['st2actions'].runners = sys.modules['st2actions.runners']
    sys.modules['st2actions.runners'].pythonrunner = sys.modules['st2actions.runners.pythonrunner']


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

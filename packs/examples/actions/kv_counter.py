from st2common.runners.base_action import Action


class KvCounter(Action):
    """Increments a counter in the datastore and returns the new count."""

    def run(self, counter):
        count = int(self.action_service.get_value(counter) or '0') + 1
        self.action_service.set_value(counter, str(count))
        # A scratch key, removed again: the action's own use of delete_value.
        self.action_service.set_value(counter + '.last_run', 'now', ttl=60)
        self.action_service.delete_value(counter + '.last_run')
        return count

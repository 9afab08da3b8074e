from st2common.runners.base_action import Action


class HelloAction(Action):
    """Greets `name` `count` times; prints a line of output, returns a (status, result) tuple."""

    def run(self, name="world", count=1, fail=False):
        greetings = ["Hello, %s!" % name for _ in range(count)]
        print("greeting %s %d time(s)" % (name, count))
        self.logger.info("python_hello ran")
        return (not fail, {"greetings": greetings, "count": count})
